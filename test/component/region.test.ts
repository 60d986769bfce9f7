import { sendKeys } from "@web/test-runner-commands";
import type { ApiKeysSettings } from "../../component/src/api-keys-settings";
import type { ApiKey } from "../../component/src/types";
import { asNewUser, button, callApi, expect, expectAccessible, openDialog, shadow, stubFetch, until } from "./helpers";

// The create dialog's advanced option: where a new key's chain is placed (the `region` of
// POST /v1/keys), against the real Worker. Automatic placement, near the key's first use, is the
// default and sends nothing; a chosen region is a Cloudflare Durable Object location hint.

const HINTS = ["wnam", "enam", "sam", "weur", "eeur", "apac", "oc", "afr", "me"];

const disclosure = (el: ApiKeysSettings) => shadow(el).querySelector("details")!;
const select = (el: ApiKeysSettings) => shadow(el).querySelector<HTMLSelectElement>("#key-region")!;
const secretText = (el: ApiKeysSettings) => shadow(el).querySelector("[part=secret] code")?.textContent ?? "";

/** Opens "New API key" and names the key, as a user would. */
async function openCreate(el: ApiKeysSettings, keyName: string): Promise<void> {
  shadow(el).querySelector<HTMLButtonElement>("[part~=create-button]")!.click();
  await until(() => openDialog(el), "create dialog");
  const name = shadow(el).querySelector<HTMLInputElement>("#key-name")!;
  name.value = keyName;
  name.dispatchEvent(new Event("input"));
}

function choose(el: ApiKeysSettings, hint: string): void {
  disclosure(el).open = true;
  select(el).value = hint;
  select(el).dispatchEvent(new Event("change"));
}

/** Lets every call through to the real Worker, and keeps the JSON bodies of `POST /v1/keys`. */
function recordCreates(): { bodies: Record<string, unknown>[]; restore: () => void } {
  const real = window.fetch;
  const bodies: Record<string, unknown>[] = [];
  const { restore } = stubFetch((url, init) => {
    if (init?.method === "POST" && new URL(url).pathname === "/v1/keys") bodies.push(JSON.parse(String(init.body)) as Record<string, unknown>);
    return real(url, init);
  });
  return { bodies, restore };
}

describe("<api-keys-settings> where a new key is checked (region) against the real Worker", () => {
  let restore = () => {};
  afterEach(() => restore());

  it("offers it under a collapsed Advanced, automatic by default, with every location hint by name", async () => {
    const { el } = await asNewUser();
    await openCreate(el, "Defaults");
    expect(disclosure(el).open).to.equal(false);
    expect(disclosure(el).querySelector("summary")!.textContent).to.equal("Advanced");
    await expectAccessible(el, "create dialog, Advanced collapsed");
    disclosure(el).open = true;
    expect(shadow(el).querySelector("label[for=key-region]")!.textContent).to.equal("Where the key is checked");
    expect(select(el).value).to.equal("auto");
    expect([...select(el).options].map((o) => [o.value, o.textContent])).to.deep.equal([
      ["auto", "Automatic (near first use)"],
      ["wnam", "Western North America"],
      ["enam", "Eastern North America"],
      ["sam", "South America"],
      ["weur", "Western Europe"],
      ["eeur", "Eastern Europe"],
      ["apac", "Asia-Pacific"],
      ["oc", "Oceania"],
      ["afr", "Africa"],
      ["me", "Middle East"],
    ]);
    const help = shadow(el).querySelector("#key-region-help")!;
    expect(help.textContent).to.equal("Choose a region only when the integration runs in a known place and must be fast from its very first request.");
    expect(select(el).getAttribute("aria-describedby")).to.contain("key-region-help");
    await expectAccessible(el, "create dialog, Advanced open");
  });

  it("opens with Enter, reaches the select with Tab and picks a region with the arrow keys", async () => {
    const { el } = await asNewUser();
    await openCreate(el, "Keyboard");
    disclosure(el).querySelector("summary")!.focus();
    await sendKeys({ press: "Enter" });
    await until(() => disclosure(el).open, "Advanced opened by Enter");
    await sendKeys({ press: "Tab" });
    expect(shadow(el).activeElement?.id).to.equal("key-region");
    await sendKeys({ press: "ArrowDown" });
    await sendKeys({ press: "ArrowDown" });
    expect(select(el).value).to.equal("enam");
    await expectAccessible(el, "region chosen with the keyboard");
    disclosure(el).querySelector("summary")!.focus();
    await sendKeys({ press: " " });
    await until(() => !disclosure(el).open, "Advanced closed by Space");
  });

  it("creates a key placed in the chosen region: the request carries it, and the key and the list say so", async () => {
    const { el, token } = await asNewUser();
    const record = recordCreates();
    restore = record.restore;
    await openCreate(el, "Frankfurt batch job");
    choose(el, "weur");
    button(el, "Create key").click();
    await until(() => secretText(el).startsWith("ak_live_"), "reveal dialog");
    expect(record.bodies).to.have.length(1);
    expect(record.bodies[0]!.region).to.equal("weur");
    const listed = await callApi<{ keys: ApiKey[] }>(token, "GET", "/v1/keys");
    expect(listed.body.keys.map((k) => [k.name, k.region])).to.deep.equal([["Frankfurt batch job", "weur"]]);
    const one = await callApi<{ key: ApiKey }>(token, "GET", `/v1/keys/${listed.body.keys[0]!.id}`);
    expect(one.body.key.region).to.equal("weur");
  });

  it("sends no region when automatic, and the key's region is null (placed near its first use)", async () => {
    const { el, token } = await asNewUser();
    const record = recordCreates();
    restore = record.restore;
    await openCreate(el, "Anywhere");
    button(el, "Create key").click();
    await until(() => secretText(el).startsWith("ak_live_"), "reveal dialog");
    expect(record.bodies).to.have.length(1);
    expect(record.bodies[0]).to.not.have.property("region");
    const listed = await callApi<{ keys: ApiKey[] }>(token, "GET", "/v1/keys");
    expect(listed.body.keys.map((k) => [k.name, k.region])).to.deep.equal([["Anywhere", null]]);
  });

  it("shows the server's refusal of a region it does not know next to the select, with Advanced open", async () => {
    const { el } = await asNewUser();
    await openCreate(el, "Newer element");
    // An element built with a newer list of hints than the server accepts.
    select(el).options[1]!.value = "mars";
    choose(el, "mars");
    disclosure(el).open = false;
    button(el, "Create key").click();
    await until(() => shadow(el).querySelector("#key-region-error")!.textContent!.trim(), "the server's refusal next to the select");
    expect(disclosure(el).open).to.equal(true);
    expect(select(el).getAttribute("aria-invalid")).to.equal("true");
    expect(select(el).getAttribute("aria-describedby")).to.contain("key-region-error");
    expect(shadow(el).querySelector("#key-name-error")!.textContent!.trim()).to.equal("");
    expect(secretText(el)).to.equal("");
    await expectAccessible(el, "region refused by the server");
  });

  it("names the regions in the element's language", async () => {
    const { el } = await asNewUser();
    el.locale = "fr";
    await until(() => shadow(el).querySelector("[part~=create-button]")!.textContent!.trim() === "Nouvelle clé API", "French");
    await openCreate(el, "Intégration");
    expect(disclosure(el).querySelector("summary")!.textContent).to.equal("Options avancées");
    expect([...select(el).options].map((o) => o.textContent)).to.deep.equal([
      "Automatique (près du premier usage)",
      "Amérique du Nord (ouest)",
      "Amérique du Nord (est)",
      "Amérique du Sud",
      "Europe de l’Ouest",
      "Europe de l’Est",
      "Asie-Pacifique",
      "Océanie",
      "Afrique",
      "Moyen-Orient",
    ]);
    expect([...select(el).options].slice(1).map((o) => o.value)).to.deep.equal(HINTS);
  });
});
