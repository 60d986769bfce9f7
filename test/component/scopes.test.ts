import type { ApiKeysSettings } from "../../component/src/api-keys-settings";
import {
  asNewUser,
  button,
  callApi,
  createThroughApi,
  expect,
  expectAccessible,
  openDialog,
  shadow,
  signIn,
  unique,
  until,
  whoami,
} from "./helpers";

const PERMISSIONS = ["contacts:read", "contacts:write", "deals:read"];

const picker = (el: ApiKeysSettings) => shadow(el).querySelector("fieldset")!;
const radios = (el: ApiKeysSettings) => [...picker(el).querySelectorAll<HTMLInputElement>("input[type=radio]")];
const checkboxes = (el: ApiKeysSettings) => [...picker(el).querySelectorAll<HTMLInputElement>("input[type=checkbox]")];
const secretText = (el: ApiKeysSettings) => shadow(el).querySelector("[part=secret] code")?.textContent ?? "";
const scopesOfRow = (el: ApiKeysSettings, name: string) =>
  [...shadow(el).querySelectorAll("[part=row]")].find((r) => r.querySelector("strong")!.textContent === name)!.querySelector("[part=scopes]")!;

/** Opens "New API key", names the key and waits for the user's permissions to arrive from GET /v1/me. */
async function openCreate(el: ApiKeysSettings, keyName: string): Promise<void> {
  button(el, "New API key").click();
  await until(() => openDialog(el), "create dialog");
  const name = shadow(el).querySelector<HTMLInputElement>("#key-name")!;
  name.value = keyName;
  name.dispatchEvent(new Event("input"));
}

async function restrict(el: ApiKeysSettings, count: number): Promise<void> {
  radios(el)[1]!.click();
  await until(() => checkboxes(el).length === count, `${count} permission checkboxes`);
}

function tick(el: ApiKeysSettings, permission: string): void {
  const box = checkboxes(el).find((b) => b.parentElement!.textContent!.trim() === permission)!;
  box.click();
}

describe("<api-keys-settings> restricted keys (scopes) against the real Worker", () => {
  it("offers full access by default, and when restricted exactly the signed-in user's permissions", async () => {
    const { el } = await asNewUser(PERMISSIONS);
    await openCreate(el, "Picker");
    expect(picker(el).querySelector("legend")!.textContent).to.equal("Permissions");
    expect(radios(el).map((r) => [r.parentElement!.textContent!.trim().replace(/\s+/g, " "), r.checked])).to.deep.equal([
      ["Full access (inherits your permissions)", true],
      ["Restricted", false],
    ]);
    expect(checkboxes(el)).to.have.length(0);
    await expectAccessible(el, "create dialog with the permission picker");
    await restrict(el, PERMISSIONS.length);
    expect(checkboxes(el).map((b) => b.parentElement!.textContent!.trim()).sort()).to.deep.equal(PERMISSIONS);
    expect(checkboxes(el).every((b) => !b.checked)).to.equal(true);
    await expectAccessible(el, "picker restricted");
  });

  it("creates a key restricted to one scope: whoami acts with that scope alone, and the row shows it", async () => {
    const { el, token } = await asNewUser(PERMISSIONS);
    await createThroughApi(token, "Everything");
    await openCreate(el, "Read-only CRM");
    await restrict(el, PERMISSIONS.length);
    tick(el, "contacts:read");
    button(el, "Create key").click();
    await until(() => secretText(el).startsWith("ak_live_"), "reveal dialog");
    const secret = secretText(el);
    const used = await whoami(secret);
    expect(used.status).to.equal(200);
    expect(used.body.key.name).to.equal("Read-only CRM");
    expect(used.body.permissions).to.deep.equal(["contacts:read"]);
    button(el, "I have stored it").click();
    await until(() => !openDialog(el), "dialog closed");
    await el.load();
    await until(() => shadow(el).querySelectorAll("[part=row]").length === 2, "both rows");
    expect(scopesOfRow(el, "Read-only CRM").textContent).to.equal("contacts:read");
    expect(scopesOfRow(el, "Everything").textContent).to.equal("Full access");
    const stored = await callApi<{ keys: { name: string; scopes: string[] | null }[] }>(token, "GET", "/v1/keys");
    expect(stored.body.keys.map((k) => [k.name, k.scopes])).to.deep.equal([
      ["Read-only CRM", ["contacts:read"]],
      ["Everything", null],
    ]);
    await expectAccessible(el, "list with a restricted and a full-access key");
  });

  it("shows every scope of a key with several in the row's title, in the order they were given", async () => {
    const { el, token } = await asNewUser(PERMISSIONS);
    await createThroughApi(token, "Two scopes", { scopes: ["deals:read", "contacts:write"] });
    await el.load();
    await until(() => shadow(el).querySelector("[part=scopes]"), "row");
    const cell = scopesOfRow(el, "Two scopes");
    expect(cell.textContent).to.equal("deals:read, contacts:write");
    expect(cell.getAttribute("title")).to.equal("deals:read, contacts:write");
  });

  it("refuses Restricted with no permission ticked, next to the picker, without asking the server", async () => {
    const { el } = await asNewUser(PERMISSIONS);
    await openCreate(el, "Nothing ticked");
    await restrict(el, PERMISSIONS.length);
    button(el, "Create key").click();
    await until(() => shadow(el).querySelector("#scopes-error")!.textContent!.trim(), "picker error");
    expect(shadow(el).querySelector("#scopes-error")!.textContent).to.equal("Choose at least one permission.");
    expect(picker(el).getAttribute("aria-describedby")).to.equal("scopes-error");
    expect(openDialog(el)).to.not.equal(null);
    expect(secretText(el)).to.equal("");
    await expectAccessible(el, "picker with its error");
  });

  it("shows the server's refusal of a scope the user no longer holds next to the picker", async () => {
    const orgId = unique("org");
    const { el, userId } = await asNewUser(PERMISSIONS, orgId);
    await openCreate(el, "Too late");
    await restrict(el, PERMISSIONS.length);
    // Meanwhile the user lost deals:read: a newer token says so (its iat is a later second).
    await new Promise((r) => setTimeout(r, 1100));
    const newer = await signIn({ userId, orgId, permissions: ["contacts:read", "contacts:write"] });
    expect((await callApi<{ permissions: string[] }>(newer, "GET", "/v1/me")).body.permissions).to.not.include("deals:read");
    tick(el, "deals:read");
    button(el, "Create key").click();
    await until(() => shadow(el).querySelector("#scopes-error")!.textContent!.trim(), "server's refusal next to the picker");
    expect(shadow(el).querySelector("#scopes-error")!.textContent).to.contain("deals:read");
    expect(secretText(el)).to.equal("");
    await expectAccessible(el, "picker with the server's refusal");
  });
});
