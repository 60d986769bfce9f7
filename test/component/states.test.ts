import { emulateMedia, setViewport } from "@web/test-runner-commands";
import type { ApiKeysErrorEvent } from "../../component/src/events";
import { button, expect, expectAccessible, fakeKey, mount, openDialog, shadow, stubFetch, until } from "./helpers";

const DAY = 86_400_000;
const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": status < 300 ? "application/json" : "application/problem+json" } });

describe("<api-keys-settings> states (fetch stubbed)", () => {
  let stub: ReturnType<typeof stubFetch> | null = null;
  afterEach(async () => {
    stub?.restore();
    stub = null;
    await setViewport({ width: 1024, height: 768 });
    await emulateMedia({ colorScheme: "light" });
  });

  it("shows a loading state while the list is on its way", async () => {
    let release!: () => void;
    stub = stubFetch(() => new Promise((r) => (release = () => r(json({ keys: [], nextCursor: null })))));
    const el = await mount({ token: "t", apiBase: "https://api.test" });
    await until(() => shadow(el).querySelector("[part=loading]"), "loading state");
    expect(shadow(el).querySelector("[part=loading]")!.getAttribute("aria-busy")).to.equal("true");
    await expectAccessible(el, "loading");
    release();
  });

  it("shows the empty state with a way to create the first key", async () => {
    stub = stubFetch(() => json({ keys: [], nextCursor: null }));
    const el = await mount({ token: "t", apiBase: "https://api.test" });
    await until(() => shadow(el).querySelector("[part=empty]"), "empty state");
    expect(button(el, "Create your first key")).to.exist;
    await expectAccessible(el, "empty");
  });

  it("shows an error state whose retry loads again, reporting the failure once with api-keys-error", async () => {
    let fail = true;
    stub = stubFetch(() => (fail ? Promise.reject(new TypeError("network down")) : json({ keys: [fakeKey()], nextCursor: null })));
    // Listening on the document before the element connects: the event bubbles out of the element,
    // and none can slip past between mounting and listening.
    const errors: ApiKeysErrorEvent[] = [];
    const collect = (e: ApiKeysErrorEvent) => errors.push(e);
    document.addEventListener("api-keys-error", collect);
    try {
      const el = await mount({ token: "t", apiBase: "https://api.test" });
      await until(() => shadow(el).querySelector("[part=error]"), "error state");
      expect(errors.map((e) => [e.status, e.code, e.message])).to.deep.equal([[0, "network_error", "The server could not be reached."]]);
      expect(errors[0]!.target).to.equal(el);
      await expectAccessible(el, "error");
      fail = false;
      button(el, "Try again").click();
      await until(() => shadow(el).querySelector("[part=row]"), "list after retry");
      expect(errors, "the successful retry reports nothing").to.have.length(1);
    } finally {
      document.removeEventListener("api-keys-error", collect);
    }
  });

  it("renders names as text: markup in a name is never parsed", async () => {
    stub = stubFetch(() => json({ keys: [fakeKey({ name: "<img src=x onerror=alert(1)>" })], nextCursor: null }));
    const el = await mount({ token: "t", apiBase: "https://api.test" });
    await until(() => shadow(el).querySelector("[part=row]"), "row");
    expect(shadow(el).querySelector("img")).to.equal(null);
    expect(shadow(el).querySelector("[part=name] strong")!.textContent).to.equal("<img src=x onerror=alert(1)>");
    await expectAccessible(el, "list with a hostile name");
  });

  it("pages through nextCursor with Load more", async () => {
    stub = stubFetch((url) =>
      url.includes("cursor=c2")
        ? json({ keys: [fakeKey({ name: "second page" })], nextCursor: null })
        : json({ keys: [fakeKey({ name: "first page" })], nextCursor: "c2" }),
    );
    const el = await mount({ token: "t", apiBase: "https://api.test" });
    await until(() => shadow(el).querySelector("[part=more-button]"), "load more");
    await expectAccessible(el, "list with more");
    button(el, "Load more").click();
    await until(() => shadow(el).querySelectorAll("[part=row]").length === 2, "two rows");
    expect(shadow(el).querySelector("[part=more-button]")).to.equal(null);
  });

  it("flags keys to rotate, unused keys and keys expiring soon", async () => {
    const now = Date.now();
    stub = stubFetch(() =>
      json({
        keys: [
          fakeKey({ name: "old", createdAt: new Date(now - 100 * DAY).toISOString(), lastUsedAt: new Date(now - DAY).toISOString() }),
          fakeKey({ name: "idle", createdAt: new Date(now - 40 * DAY).toISOString(), lastUsedAt: new Date(now - 35 * DAY).toISOString() }),
          fakeKey({ name: "never", createdAt: new Date(now - 31 * DAY).toISOString() }),
          fakeKey({ name: "soon", expiresAt: new Date(now + 3 * DAY).toISOString() }),
          fakeKey({ name: "fine", lastUsedAt: new Date(now - DAY).toISOString() }),
        ],
        nextCursor: null,
      }),
    );
    const el = await mount({ token: "t", apiBase: "https://api.test" });
    await until(() => shadow(el).querySelectorAll("[part=row]").length === 5, "rows");
    const hints = [...shadow(el).querySelectorAll("[part=row]")].map((row) =>
      [...row.querySelectorAll("[part=hint]")].map((h) => h.textContent),
    );
    expect(hints).to.deep.equal([
      ["Rotate: older than 90 days"],
      ["Unused for 30 days: consider revoking"],
      ["Never used: consider revoking"],
      ["Expires soon"],
      [],
    ]);
    expect(shadow(el).querySelectorAll("[part=row]")[2]!.textContent).to.contain("Never");
    await expectAccessible(el, "list with hints");
  });

  it("shows an explained owner note instead of Rotate on a key only its owner may rotate, in English and German", async () => {
    stub = stubFetch(() => json({ keys: [fakeKey({ name: "Owner only", rotationRequiresOwner: true })], nextCursor: null }));
    const el = await mount({ token: "t", apiBase: "https://api.test" });
    await until(() => shadow(el).querySelector("[part=row]"), "row");
    const note = () => shadow(el).querySelector("[part=rotate-owner-note]")!;
    const actionParts = [...shadow(el).querySelectorAll("td.actions > *")].map((a) => a.getAttribute("part"));
    expect(actionParts).to.deep.equal(["edit-button", "rotate-owner-note", "revoke-button"]);
    expect(note().textContent).to.equal("Owner rotates. This key can do more than you can. Revoke it, or ask its owner to rotate it.");
    expect(getComputedStyle(note().querySelector(".sr-only")!).position).to.equal("absolute");
    await expectAccessible(el, "list with an owner-only key");
    el.locale = "de";
    await el.updateComplete;
    expect(note().textContent).to.equal("Rotiert der Inhaber. Dieser Schlüssel darf mehr als Sie. Widerrufen Sie ihn oder bitten Sie den Inhaber, ihn zu rotieren.");
  });

  it("explains a rotation the server refuses with rotation_requires_owner in the catalogue's words", async () => {
    const key = fakeKey({ name: "Changed meanwhile" });
    stub = stubFetch((_url, init) =>
      init?.method === "POST"
        ? json({ status: 403, code: "rotation_requires_owner", detail: "Server wording that must not be shown." }, 403)
        : json({ keys: [key], nextCursor: null }),
    );
    const errors: ApiKeysErrorEvent[] = [];
    const el = await mount({ token: "t", apiBase: "https://api.test" });
    el.addEventListener("api-keys-error", (e) => errors.push(e as ApiKeysErrorEvent));
    await until(() => shadow(el).querySelector("[part=row]"), "row");
    button(el, "Rotate Changed meanwhile").click();
    await until(() => openDialog(el), "wizard");
    button(el, "Create new key").click();
    await until(() => shadow(el).querySelector("dialog [role=alert]"), "error in the wizard");
    expect(shadow(el).querySelector("dialog [role=alert]")!.textContent).to.equal(
      "This key can do more than you can. Revoke it, or ask its owner to rotate it.",
    );
    expect(errors.map((e) => [e.status, e.code])).to.deep.equal([[403, "rotation_requires_owner"]]);
    await expectAccessible(el, "rotate refused for the owner only");
  });

  it("checks every verify-interval ms in rotation step 3 whether the new key was used, and stops once it was", async () => {
    expect(document.createElement("api-keys-settings").verifyInterval, "the default").to.equal(3000);
    const old = fakeKey({ name: "Zapier" });
    const next = fakeKey({ name: "Zapier" });
    let lastUsedAt: string | null = null;
    stub = stubFetch((url, init) => {
      if (url.endsWith(`/v1/keys/${old.id}/rotate`)) return json({ key: next, secret: "ak_live_new", previous: { ...old, rotatedToId: next.id } });
      if (url.endsWith(`/v1/keys/${next.id}`)) return json({ key: { ...next, lastUsedAt } });
      return init?.method === "GET" ? json({ keys: [old], nextCursor: null }) : json({ status: 500 }, 500);
    });
    const checks = () => stub!.calls.filter((call) => call === `GET https://api.test/v1/keys/${next.id}`).length;
    const el = await mount({ token: "t", apiBase: "https://api.test" });
    el.setAttribute("verify-interval", "40");
    expect(el.verifyInterval).to.equal(40);
    await until(() => shadow(el).querySelector("[part=row]"), "row");
    button(el, "Rotate Zapier").click();
    await until(() => openDialog(el), "wizard");
    button(el, "Create new key").click();
    await until(() => shadow(el).querySelector("[part=secret]"), "step 2");
    button(el, "Next").click();
    // One check on entering step 3, then one every 40 ms: nobody clicks "Check again".
    await until(() => checks() >= 4, "the poll", 1000);
    lastUsedAt = new Date().toISOString();
    await until(() => shadow(el).querySelector("[part=verify-status].ok"), "step 3 green by itself", 1000);
    const green = checks();
    await new Promise((r) => setTimeout(r, 200));
    expect(checks(), "no checks once step 3 is green").to.equal(green);
    button(el, "Next").click();
    await until(() => shadow(el).querySelector("[part=revoke-old-button]"), "step 4");
    await new Promise((r) => setTimeout(r, 200));
    expect(checks(), "no checks after step 3").to.equal(green);
  });

  it("switches language, dates and relative times with locale", async () => {
    const used = new Date(Date.now() - 3 * DAY).toISOString();
    stub = stubFetch(() => json({ keys: [fakeKey({ createdAt: "2026-03-01T12:00:00Z", lastUsedAt: used })], nextCursor: null }));
    const el = await mount({ token: "t", apiBase: "https://api.test", locale: "de" });
    await until(() => shadow(el).querySelector("[part=row]"), "row");
    expect(shadow(el).querySelector("[part=title]")!.textContent).to.equal("API-Schlüssel");
    expect(shadow(el).textContent).to.contain(new Intl.DateTimeFormat("de", { dateStyle: "medium" }).format(new Date("2026-03-01T12:00:00Z")));
    expect(shadow(el).textContent).to.contain("vor 3 Tagen");
    el.locale = "en";
    await el.updateComplete;
    expect(shadow(el).querySelector("[part=title]")!.textContent).to.equal("API keys");
    expect(shadow(el).textContent).to.contain("3 days ago");
    await expectAccessible(el, "list");
  });

  it("stacks rows on narrow screens", async () => {
    stub = stubFetch(() => json({ keys: [fakeKey()], nextCursor: null }));
    await setViewport({ width: 420, height: 800 });
    const el = await mount({ token: "t", apiBase: "https://api.test" });
    await until(() => shadow(el).querySelector("[part=row]"), "row");
    expect(getComputedStyle(shadow(el).querySelector("[part=row]")!).display).to.equal("block");
    await expectAccessible(el, "stacked");
  });

  it("uses the dark theme when asked, and follows the system with auto", async () => {
    stub = stubFetch(() => json({ keys: [fakeKey()], nextCursor: null }));
    const el = await mount({ token: "t", apiBase: "https://api.test", theme: "dark" });
    await until(() => shadow(el).querySelector("[part=row]"), "row");
    expect(getComputedStyle(el).backgroundColor).to.equal("rgb(13, 17, 23)");
    await expectAccessible(el, "dark list");
    el.theme = "auto";
    await emulateMedia({ colorScheme: "dark" });
    await el.updateComplete;
    expect(getComputedStyle(el).backgroundColor).to.equal("rgb(13, 17, 23)");
    await emulateMedia({ colorScheme: "light" });
    expect(getComputedStyle(el).backgroundColor).to.equal("rgb(255, 255, 255)");
  });

  it("preselects default-expiry-days in the create form, and 90 for a value that is not a preset", async () => {
    stub = stubFetch(() => json({ keys: [], nextCursor: null }));
    const el = await mount({ token: "t", apiBase: "https://api.test", defaultExpiryDays: 30 });
    await until(() => shadow(el).querySelector("[part=empty]"), "empty state");
    button(el, "New API key").click();
    await until(() => shadow(el).querySelector("#key-expiry"), "create dialog");
    expect(shadow(el).querySelector<HTMLSelectElement>("#key-expiry")!.value).to.equal("30");
    await expectAccessible(el, "create dialog");
    const other = await mount({ token: "t", apiBase: "https://api.test", defaultExpiryDays: 45 });
    await until(() => shadow(other).querySelector("[part=empty]"), "empty state");
    button(other, "New API key").click();
    await until(() => shadow(other).querySelector("#key-expiry"), "create dialog");
    expect(shadow(other).querySelector<HTMLSelectElement>("#key-expiry")!.value).to.equal("90");
  });

  it("defines the element once, however often the module is loaded", async () => {
    const first = customElements.get("api-keys-settings");
    // Two more copies of the built bundle, each with its own class, as two script tags would load.
    const bundle = "/component/site/component/api-keys-settings.js";
    await import(/* @vite-ignore */ `${bundle}?copy=1`);
    await import(/* @vite-ignore */ `${bundle}?copy=2`);
    expect(customElements.get("api-keys-settings")).to.equal(first);
  });
});
