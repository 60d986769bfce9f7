import type { ApiKeysSettings } from "../../component/src/api-keys-settings";
import type { ApiKeysErrorEvent } from "../../component/src/events";
import { LIMIT_HINT_THRESHOLD } from "../../component/src/hints";
import type { Usage } from "../../component/src/types";
import { USAGE_REQUESTS_IN_FLIGHT } from "../../component/src/usage-controller";
import {
  asNewUser,
  button,
  createThroughApi,
  expect,
  expectAccessible,
  fakeKey,
  mount,
  openDialog,
  shadow,
  stubFetch,
  until,
  useKey,
  useKeyBurst,
} from "./helpers";

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": status < 300 ? "application/json" : "application/problem+json" } });

const sparkline = (el: ApiKeysSettings) => shadow(el).querySelector("[part=row] [part=chart]");
const details = (el: ApiKeysSettings) => openDialog(el)!;
/** The details view's totals: term → value. */
const totals = (el: ApiKeysSettings) =>
  Object.fromEntries([...details(el).querySelectorAll("dt")].map((dt) => [dt.textContent!.trim(), dt.nextElementSibling!.textContent!.trim()]));

async function openDetails(el: ApiKeysSettings, name: string): Promise<void> {
  const nameButton = [...shadow(el).querySelectorAll<HTMLButtonElement>("[part=name] button")].find((b) => b.textContent === name)!;
  nameButton.click();
  await until(() => openDialog(el)?.querySelector("dl"), "details with totals");
}

async function chooseWindow(el: ApiKeysSettings, window: string): Promise<void> {
  const select = shadow(el).querySelector<HTMLSelectElement>("#usage-window")!;
  select.value = window;
  select.dispatchEvent(new Event("change"));
  await until(() => details(el).querySelector("[part=chart]")?.getAttribute("aria-label")?.includes(select.selectedOptions[0]!.text), `the ${window} window`);
}

/** A usage report as the API sends it, `rateLimited` 429s in the last hour. */
function usageReport(rateLimited = 0): Usage {
  const buckets = Array.from({ length: 25 }, (_, i) => ({ admitted: i, rateLimited: i === 24 ? rateLimited : 0, refused: 0 }));
  return { window: "24h", buckets, totals: { admitted: 300, rateLimited, refused: 0 }, lastUsedAt: new Date().toISOString() };
}

describe("<api-keys-settings> usage against the real Worker", () => {
  it("draws a sparkline that counts a key's real requests, and the details view's totals match", async () => {
    const { el, token } = await asNewUser();
    const { key, secret } = await createThroughApi(token, "Counted");
    for (let i = 0; i < 5; i += 1) expect(await useKey(secret)).to.equal(200);
    await el.load();
    await until(() => sparkline(el), "sparkline");
    expect(sparkline(el)!.getAttribute("role")).to.equal("img");
    expect(sparkline(el)!.getAttribute("aria-label")).to.equal("5 requests in the last 24 hours");
    expect(shadow(el).querySelector("[part=hint]"), "no limit hint").to.equal(null);
    await expectAccessible(el, "list with a sparkline");

    await openDetails(el, "Counted");
    expect(details(el).querySelector("h3")!.textContent).to.equal("Counted");
    expect(totals(el)).to.deep.include({ Admitted: "5", "Rate-limited (429)": "0", Refused: "0" });
    expect(totals(el)["Last used"]).to.match(/now|second|minute/);
    expect(details(el).querySelector("[part=chart]")!.getAttribute("aria-label")).to.equal("5 requests in the last 24 hours");
    const events = [...details(el).querySelectorAll("li")].map((li) => li.textContent!);
    expect(events).to.have.length(1);
    expect(events[0]).to.contain("key.created");
    await expectAccessible(el, "details view");

    await chooseWindow(el, "7d");
    expect(details(el).querySelector("[part=chart]")!.getAttribute("aria-label")).to.equal("5 requests in the last 7 days");
    expect(totals(el).Admitted).to.equal("5");
    await chooseWindow(el, "30d");
    expect(totals(el).Admitted).to.equal("5");
    await expectAccessible(el, "details view, 30 days");

    button(el, "Close").click();
    await until(() => !openDialog(el), "closed");
    expect(shadow(el).activeElement?.textContent, "focus back on the key's name").to.equal("Counted");
    expect(shadow(el).activeElement?.closest("[data-key-id]")?.getAttribute("data-key-id")).to.equal(key.id);
  });

  it("counts the 429s of a burst over 10 a second and flags the key as hitting its limit", async () => {
    const { el, token } = await asNewUser();
    const { secret } = await createThroughApi(token, "Bursty");
    const statuses = await useKeyBurst(secret, 25);
    expect(statuses.filter((s) => s === 200)).to.have.length(10);
    expect(statuses.filter((s) => s === 429)).to.have.length(15);
    // 429s the edge's isolate answered from its memory reach the key's counters in one batch about
    // a second later (README, Usage per key): reload until they are in, for at most 5 s.
    const end = performance.now() + 5000;
    do {
      await el.load();
      await until(() => sparkline(el), "sparkline");
      if (sparkline(el)!.getAttribute("aria-label") === "25 requests in the last 24 hours") break;
      await new Promise((r) => setTimeout(r, 250));
    } while (performance.now() < end);
    expect(sparkline(el)!.getAttribute("aria-label")).to.equal("25 requests in the last 24 hours");
    expect([...shadow(el).querySelectorAll("[part=hint]")].map((h) => h.textContent)).to.deep.equal(["Hitting its limit"]);
    await openDetails(el, "Bursty");
    expect(totals(el)).to.deep.include({ Admitted: "10", "Rate-limited (429)": "15", Refused: "0" });
    await expectAccessible(el, "details of a rate-limited key");
  });

  it("counts a revoked key's refused requests in its details, and draws no sparkline for it", async () => {
    const { el, token } = await asNewUser();
    const { key, secret } = await createThroughApi(token, "Gone");
    expect(await useKey(secret)).to.equal(200);
    await fetch(`${window.WORKER_URL}/v1/keys/${key.id}/revoke`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: "{}",
    });
    expect(await useKey(secret)).to.equal(401);
    await el.load();
    await until(() => shadow(el).querySelector("[part=row]"), "row");
    expect(sparkline(el)).to.equal(null);
    await openDetails(el, "Gone");
    expect(totals(el)).to.deep.include({ Admitted: "1", Refused: "1" });
    expect([...details(el).querySelectorAll("li")].map((li) => li.textContent!.trim().split(" ")[0])).to.deep.equal(["key.revoked", "key.created"]);
  });
});

describe("<api-keys-settings> usage fetching (fetch stubbed)", () => {
  let stub: ReturnType<typeof stubFetch> | null = null;
  afterEach(() => {
    stub?.restore();
    stub = null;
  });

  it(`asks only for active keys' usage, at most ${USAGE_REQUESTS_IN_FLIGHT} at a time, once per key until load()`, async () => {
    const active = Array.from({ length: 12 }, (_, i) => fakeKey({ name: `Active ${i}` }));
    const revoked = fakeKey({ name: "Revoked", status: "revoked" });
    const pending: (() => void)[] = [];
    let inFlight = 0;
    let most = 0;
    stub = stubFetch((url) => {
      if (!url.includes("/usage")) return json({ keys: [...active, revoked], nextCursor: null });
      inFlight += 1;
      most = Math.max(most, inFlight);
      return new Promise((resolve) =>
        pending.push(() => {
          inFlight -= 1;
          resolve(json(usageReport()));
        }),
      );
    });
    const usageCalls = () => stub!.calls.filter((c) => c.includes("/usage"));
    const el = await mount({ token: "t", apiBase: "https://api.test" });
    await until(() => usageCalls().length === USAGE_REQUESTS_IN_FLIGHT, "the first requests");
    while (pending.length) {
      pending.shift()!();
      await until(() => pending.length > 0 || usageCalls().length === 12, "the next request");
    }
    await until(() => shadow(el).querySelectorAll("[part=row] [part=chart]").length === 12, "every active row's sparkline");
    expect(most).to.equal(USAGE_REQUESTS_IN_FLIGHT);
    expect(usageCalls()).to.have.length(12);
    expect(usageCalls().every((c) => c.endsWith("/usage?window=24h"))).to.equal(true);
    expect(usageCalls().some((c) => c.includes(revoked.id))).to.equal(false);
    el.requestUpdate();
    await el.updateComplete;
    expect(usageCalls(), "cached: a re-render asks nothing").to.have.length(12);
    const reload = el.load();
    await until(() => usageCalls().length > 12, "asked again after load()");
    while (pending.length) pending.shift()!();
    await reload;
    await expectAccessible(el, "list with twelve sparklines");
  });

  it("shows nothing and reports no error when a key's usage cannot be had", async () => {
    stub = stubFetch((url) => (url.includes("/usage") ? json({ status: 500, code: "internal_error" }, 500) : json({ keys: [fakeKey()], nextCursor: null })));
    const errors: ApiKeysErrorEvent[] = [];
    const el = await mount({ token: "t", apiBase: "https://api.test" });
    el.addEventListener("api-keys-error", (e) => errors.push(e));
    await until(() => stub!.calls.some((c) => c.includes("/usage")), "the usage request");
    await new Promise((r) => setTimeout(r, 50));
    await el.updateComplete;
    expect(sparkline(el)).to.equal(null);
    expect(shadow(el).querySelector("[part=error], [role=alert]")).to.equal(null);
    expect(errors).to.deep.equal([]);
    expect(shadow(el).querySelector("[role=status][aria-live]")!.textContent!.trim()).to.equal("");
  });

  it(`flags "Hitting its limit" from ${LIMIT_HINT_THRESHOLD} 429s in the last 24 hours, not below`, async () => {
    const [below, at] = [fakeKey({ name: "Below" }), fakeKey({ name: "At" })];
    stub = stubFetch((url) => {
      if (url.includes(`/v1/keys/${below.id}/usage`)) return json(usageReport(LIMIT_HINT_THRESHOLD - 1));
      if (url.includes(`/v1/keys/${at.id}/usage`)) return json(usageReport(LIMIT_HINT_THRESHOLD));
      return json({ keys: [below, at], nextCursor: null });
    });
    const el = await mount({ token: "t", apiBase: "https://api.test", locale: "de" });
    await until(() => shadow(el).querySelectorAll("[part=row] [part=chart]").length === 2, "both sparklines");
    const hints = [...shadow(el).querySelectorAll("[part=row]")].map((r) => [...r.querySelectorAll("[part=hint]")].map((h) => h.textContent));
    expect(hints).to.deep.equal([[], ["Stößt an sein Limit"]]);
    expect(sparkline(el)!.getAttribute("aria-label")).to.equal(`${(300 + LIMIT_HINT_THRESHOLD - 1).toLocaleString("de")} Anfragen, letzte 24 Stunden`);
    await expectAccessible(el, "German list with the limit hint");
  });
});
