import { sendKeys } from "@web/test-runner-commands";
import type { ApiKeysSettings } from "../../component/src/api-keys-settings";
import type { ApiKeysErrorEvent } from "../../component/src/events";
import {
  asNewUser,
  button,
  createThroughApi,
  expect,
  expectAccessible,
  mount,
  openDialog,
  shadow,
  signIn,
  stubFetch,
  unique,
  until,
  useKey,
  WORKER,
} from "./helpers";

/** Opens "New API key" and types a name, as a user would. Returns the name field. */
async function startCreate(el: ApiKeysSettings, keyName: string): Promise<HTMLInputElement> {
  button(el, "New API key").click();
  await until(() => openDialog(el), "create dialog");
  const name = shadow(el).querySelector<HTMLInputElement>("#key-name")!;
  name.value = keyName;
  name.dispatchEvent(new Event("input"));
  return name;
}

const rows = (el: ApiKeysSettings) => [...shadow(el).querySelectorAll("[part=row]")];
const announced = (el: ApiKeysSettings) => shadow(el).querySelector("[role=status][aria-live]")!.textContent!.trim();
const secretText = (el: ApiKeysSettings) => shadow(el).querySelector("[part=secret] code")?.textContent ?? "";

/**
 * Everything the element holds as text: its DOM, and every value reachable from its own fields
 * (its controllers' state included), walked depth-first with cycles, DOM nodes and functions
 * skipped, so a secret kept anywhere in its memory shows up.
 */
function everythingAbout(el: ApiKeysSettings): string {
  const seen = new Set<unknown>();
  const texts: string[] = [];
  const walk = (value: unknown, depth: number): void => {
    if (typeof value === "string") texts.push(value);
    if (value === null || typeof value !== "object" || seen.has(value) || depth > 8 || value instanceof Node) return;
    seen.add(value);
    const record = value as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(value)) {
      let child: unknown;
      try {
        child = record[name];
      } catch {
        continue;
      }
      if (typeof child !== "function") walk(child, depth + 1);
    }
  };
  for (const name of Object.getOwnPropertyNames(el)) walk((el as unknown as Record<string, unknown>)[name], 0);
  return shadow(el).innerHTML + el.outerHTML + texts.join("\n");
}

describe("<api-keys-settings> against the real Worker", () => {
  it("creates a key, reveals it once, copies it, lists it, and forgets the secret", async () => {
    const { el } = await asNewUser();
    await expectAccessible(el, "empty");
    const events: Event[] = [];
    el.addEventListener("api-key-created", (e) => events.push(e));
    await startCreate(el, "CRM Integration");
    await expectAccessible(el, "create dialog");
    button(el, "Create key").click();
    await until(() => secretText(el).startsWith("ak_live_"), "reveal dialog");
    const secret = secretText(el);
    await expectAccessible(el, "reveal dialog");

    button(el, "Copy").click();
    await until(() => /Copied|Selected/.test(announced(el)), "copy announcement");

    button(el, "I have stored it").click();
    await until(() => !openDialog(el), "dialog closed");
    expect(rows(el).map((r) => r.querySelector("strong")!.textContent)).to.deep.equal(["CRM Integration"]);
    expect(everythingAbout(el)).not.to.contain(secret.slice(8));
    expect(events).to.have.length(1);
    expect(JSON.stringify(events[0])).not.to.contain(secret.slice(8));
    expect(JSON.stringify((events[0] as unknown as { key: unknown }).key)).not.to.contain(secret.slice(8));
    expect(await useKey(secret)).to.equal(200);
    await expectAccessible(el, "list");
  });

  it("keeps the reveal dialog open on Escape", async () => {
    const { el } = await asNewUser();
    await startCreate(el, "Escape test");
    button(el, "Create key").click();
    await until(() => secretText(el), "reveal");
    await sendKeys({ press: "Escape" });
    await sendKeys({ press: "Escape" });
    await el.updateComplete;
    expect(openDialog(el)).to.not.equal(null);
    expect(secretText(el)).to.match(/^ak_live_/);
    await expectAccessible(el, "reveal dialog after Escape");
  });

  it("creates a key with the keyboard alone and returns focus to the opener", async () => {
    const { el } = await asNewUser();
    button(el, "New API key").focus();
    await sendKeys({ press: "Enter" });
    await until(() => openDialog(el), "create dialog");
    await until(() => shadow(el).activeElement?.id === "key-name", "focus in the name field");
    await sendKeys({ type: "Keyboard key" });
    await sendKeys({ press: "Enter" });
    await until(() => secretText(el), "reveal");
    await until(() => openDialog(el)!.contains(shadow(el).activeElement), "focus inside the reveal dialog");
    button(el, "I have stored it").focus();
    await sendKeys({ press: "Enter" });
    await until(() => !openDialog(el), "closed");
    await until(() => shadow(el).activeElement?.getAttribute("part") === "create-button", "focus back on the opener");
    expect(rows(el)).to.have.length(1);
    await expectAccessible(el, "list after keyboard create");
  });

  it("closes the create dialog with Escape and gives the focus back to the opener", async () => {
    const { el } = await asNewUser();
    button(el, "New API key").focus();
    await sendKeys({ press: "Enter" });
    await until(() => openDialog(el), "create dialog");
    await sendKeys({ press: "Escape" });
    await until(() => !openDialog(el), "closed by Escape");
    await until(() => shadow(el).activeElement?.getAttribute("part") === "create-button", "focus back on the opener");
    await expectAccessible(el, "empty after cancel");
  });

  it("shows the server's validation message next to the name field", async () => {
    const { el } = await asNewUser();
    const name = await startCreate(el, "evil\u202Ename");
    button(el, "Create key").click();
    await until(() => shadow(el).querySelector("#key-name-error")!.textContent!.trim(), "field error");
    expect(shadow(el).querySelector("#key-name-error")!.textContent).to.contain("bidi");
    expect(name.getAttribute("aria-invalid")).to.equal("true");
    await expectAccessible(el, "create dialog with error");
  });

  it("warns that a key without expiry is a security risk", async () => {
    const { el } = await asNewUser();
    button(el, "New API key").click();
    await until(() => openDialog(el), "create dialog");
    const expiry = shadow(el).querySelector<HTMLSelectElement>("#key-expiry")!;
    expect(expiry.value).to.equal("90");
    expiry.value = "none";
    expiry.dispatchEvent(new Event("change"));
    await el.updateComplete;
    expect(shadow(el).querySelector("[part=warning]")!.textContent).to.contain("security risk");
    await expectAccessible(el, "no-expiry warning");
  });

  it("revokes with the keyboard after a confirmation naming the key, and the row shows revoked at once", async () => {
    const { el, token } = await asNewUser();
    await createThroughApi(token, "Website widget");
    await el.load();
    await until(() => rows(el).length === 1, "row");
    const events: Event[] = [];
    el.addEventListener("api-key-revoked", (e) => events.push(e));
    button(el, "Revoke Website widget").focus();
    await sendKeys({ press: "Enter" });
    await until(() => openDialog(el), "confirmation");
    expect(openDialog(el)!.textContent).to.contain("Revoke “Website widget”?");
    await expectAccessible(el, "revoke dialog");
    await sendKeys({ press: "Tab" });
    await sendKeys({ press: "Enter" });
    await until(() => !openDialog(el), "closed");
    expect(rows(el)[0]!.querySelector("[part=badge]")!.textContent).to.equal("Revoked");
    await until(() => announced(el) === "Website widget was revoked.", "announcement");
    expect(events).to.have.length(1);
  });

  it("rotates through all four steps, turning step 3 green once the new key is used", async () => {
    const { el, token } = await asNewUser();
    const { key: old, secret: oldSecret } = await createThroughApi(token, "Zapier");
    await el.load();
    await until(() => rows(el).length === 1, "row");
    const rotated: Event[] = [];
    el.addEventListener("api-key-rotated", (e) => rotated.push(e));
    button(el, "Rotate Zapier").click();
    await until(() => openDialog(el), "wizard");
    expect(openDialog(el)!.querySelector(".summary")!.textContent).to.contain("Zapier");
    await expectAccessible(el, "rotate step 1");
    const grace = shadow(el).querySelector<HTMLSelectElement>("#grace")!;
    grace.value = "3600";
    grace.dispatchEvent(new Event("change"));
    button(el, "Create new key").click();
    await until(() => secretText(el).startsWith("ak_live_"), "step 2");
    const next = secretText(el);
    await expectAccessible(el, "rotate step 2");
    button(el, "Next").click();
    await until(() => shadow(el).querySelector("[part=verify-status]"), "step 3");
    expect(secretText(el)).to.equal(`curl -H "X-API-Key: ${next}" ${WORKER}/api/whoami`);
    expect(shadow(el).querySelector("[part=verify-status]")!.textContent).to.contain("not been used yet");
    await expectAccessible(el, "rotate step 3");
    expect(await useKey(next)).to.equal(200);
    button(el, "Check again").click();
    await until(() => shadow(el).querySelector("[part=verify-status].ok"), "step 3 green");
    button(el, "Next").click();
    await until(() => shadow(el).querySelector("[part=revoke-old-button]"), "step 4");
    await expectAccessible(el, "rotate step 4");
    expect(everythingAbout(el)).not.to.contain(next.slice(8));
    expect(await useKey(oldSecret)).to.equal(200);
    button(el, "Revoke old key now").click();
    await until(() => !openDialog(el), "wizard closed");
    expect(await useKey(oldSecret)).to.equal(401);
    const badges = Object.fromEntries(rows(el).map((r) => [r.getAttribute("data-key-id"), r.querySelector("[part=badge]")!.textContent]));
    expect(badges[old.id]).to.equal("Revoked");
    expect(Object.values(badges).filter((b) => b === "Active")).to.have.length(1);
    expect(rotated).to.have.length(1);
    expect(JSON.stringify(rotated[0])).not.to.contain(next.slice(8));
  });

  it("shows a member only their own keys and an admin the whole org's", async () => {
    const orgId = unique("org");
    const member = await signIn({ userId: unique("member"), orgId, name: "Max Member" });
    const boss = await signIn({ userId: unique("admin"), orgId, name: "Ada Admin", permissions: ["api_keys:admin"] });
    await createThroughApi(member, "member key");
    await createThroughApi(boss, "admin key");
    const asMember = await mount({ apiBase: WORKER, token: member });
    await until(() => rows(asMember).length > 0, "member rows");
    expect(rows(asMember).map((r) => r.querySelector("strong")!.textContent)).to.deep.equal(["member key"]);
    const asAdmin = await mount({ apiBase: WORKER, token: boss });
    await until(() => rows(asAdmin).length === 2, "admin rows");
    expect(rows(asAdmin).map((r) => r.querySelector("strong")!.textContent)).to.deep.equal(["admin key", "member key"]);
    await expectAccessible(asAdmin, "admin list");
  });

  it("shows an admin the owner note instead of Rotate on a member's key that can do more than the admin", async () => {
    const orgId = unique("org");
    const member = await signIn({ userId: unique("member"), orgId, name: "Max Member", permissions: ["contacts:read", "contacts:write"] });
    const boss = await signIn({ userId: unique("admin"), orgId, name: "Ada Admin", permissions: ["api_keys:admin", "contacts:read"] });
    await createThroughApi(member, "Writer key");
    await createThroughApi(boss, "Admin key");
    const el = await mount({ apiBase: WORKER, token: boss });
    await until(() => rows(el).length === 2, "admin rows");
    const actions = Object.fromEntries(
      rows(el).map((r) => [r.querySelector("strong")!.textContent, [...r.querySelectorAll("td.actions > *")].map((a) => a.getAttribute("part"))]),
    );
    expect(actions).to.deep.equal({
      "Writer key": ["edit-button", "rotate-owner-note", "revoke-button"],
      "Admin key": ["edit-button", "rotate-button", "revoke-button"],
    });
    expect(shadow(el).querySelector("[part=rotate-owner-note]")!.textContent).to.contain("Owner rotates");
    expect(button(el, "Revoke Writer key").disabled).to.equal(false);
    expect(button(el, "Rotate Admin key").disabled).to.equal(false);
    await expectAccessible(el, "admin list with an owner-only key");
  });

  describe("after a 401 (the README: getToken is called once more and the request retried)", () => {
    let stub: ReturnType<typeof stubFetch> | null = null;
    afterEach(() => {
      stub?.restore();
      stub = null;
    });

    /** Passes every call through to the real Worker, noting the bearer token each list request carried. */
    function recordTokens(): string[] {
      const realFetch = window.fetch;
      const tokens: string[] = [];
      stub = stubFetch((url, init) => {
        // The list's own request (the canary keys' request, made alongside it, is retried alike).
        if (url.startsWith(`${WORKER}/v1/keys`) && !url.includes("canary=true")) tokens.push(new Headers(init?.headers).get("Authorization") ?? "none");
        return realFetch(url, init);
      });
      return tokens;
    }

    it("asks getToken exactly once and retries the request once, with the fresh token", async () => {
      const fresh = await signIn({ userId: unique("user"), orgId: unique("org") });
      const tokens = recordTokens();
      let asked = 0;
      const el = await mount({
        apiBase: WORKER,
        token: "expired.token.value",
        getToken: async () => {
          asked += 1;
          return fresh;
        },
      });
      await until(() => shadow(el).querySelector("[part=empty]"), "loaded after retry");
      expect(asked).to.equal(1);
      expect(tokens).to.deep.equal(["Bearer expired.token.value", `Bearer ${fresh}`]);
      expect(shadow(el).querySelector("[part=error]")).to.equal(null);
      await expectAccessible(el, "empty after token refresh");
    });

    it("retries only once: a refused fresh token ends in the error state", async () => {
      const tokens = recordTokens();
      let asked = 0;
      const errors: ApiKeysErrorEvent[] = [];
      const collect = (e: ApiKeysErrorEvent) => errors.push(e);
      document.addEventListener("api-keys-error", collect);
      try {
        const el = await mount({
          apiBase: WORKER,
          token: "expired.token.value",
          getToken: async () => {
            asked += 1;
            return "also.expired.token";
          },
        });
        await until(() => shadow(el).querySelector("[part=error]"), "error state");
        expect(asked).to.equal(1);
        expect(tokens).to.deep.equal(["Bearer expired.token.value", "Bearer also.expired.token"]);
        expect(errors.map((e) => [e.status, e.message])).to.deep.equal([[401, "Your session has expired. Sign in again."]]);
      } finally {
        document.removeEventListener("api-keys-error", collect);
      }
    });
  });
});
