// The key controls in the element, against the real Worker: pause and resume (checked at the
// edge), the create form under the org's policy, the rotation wizard's drain view with
// graceUntilIdle, canary keys listed apart, revocation reasons, and descriptions and metadata.
import { a11ySnapshot, executeServerCommand } from "@web/test-runner-commands";
import type { ApiKeysSettings } from "../../component/src/api-keys-settings";
import type { ApiKey, Drain } from "../../component/src/types";
import {
  asNewUser,
  button,
  callApi,
  createThroughApi,
  expect,
  expectAccessible,
  openDialog,
  setOrgPolicy,
  shadow,
  signIn,
  mount,
  unique,
  until,
  useKey,
  whoami,
  WORKER,
} from "./helpers";

const DAY = 86_400_000;

const $ = <E extends Element = HTMLElement>(el: ApiKeysSettings, selector: string) => shadow(el).querySelector<E>(selector);
const text = (el: ApiKeysSettings, selector: string) => $(el, selector)?.textContent?.replace(/\s+/g, " ").trim() ?? "";
const rowOf = (el: ApiKeysSettings, name: string) =>
  [...shadow(el).querySelectorAll<HTMLTableRowElement>("[part=row]")].find((row) => row.querySelector("strong")!.textContent === name);
const announced = (el: ApiKeysSettings) => text(el, "[role=status][aria-live]");
/** A description list's terms and their descriptions, in order. */
const pairs = (el: ApiKeysSettings, selector: string) =>
  [...shadow(el).querySelectorAll(`${selector} dt`)].map((dt) => [dt.textContent!.trim(), dt.nextElementSibling!.textContent!.trim()]);

function type(el: ApiKeysSettings, id: string, value: string): void {
  const input = $<HTMLInputElement>(el, `#${id}`)!;
  input.value = value;
  input.dispatchEvent(new Event("input"));
}

function choose(el: ApiKeysSettings, id: string, value: string): void {
  const select = $<HTMLSelectElement>(el, `#${id}`)!;
  select.value = value;
  select.dispatchEvent(new Event("change"));
}

/** The `yyyy-mm-dd` local date `days` from now, as a date input takes it. */
function dateIn(days: number): string {
  const at = new Date(Date.now() + days * DAY);
  return new Date(at.getTime() - at.getTimezoneOffset() * 60_000).toISOString().slice(0, 10);
}

async function keyOf(token: string, id: string): Promise<{ key: ApiKey; drain: Drain | null }> {
  return (await callApi<{ key: ApiKey; drain: Drain | null }>(token, "GET", `/v1/keys/${id}`)).body;
}

async function openDetails(el: ApiKeysSettings, name: string): Promise<void> {
  await until(() => rowOf(el, name), `the row of ${name}`);
  button(el, name).click();
  await until(() => openDialog(el)?.querySelector("ul li"), "the details view with the key read exactly and its events");
}

describe("<api-keys-settings> key controls against the real Worker", () => {
  it("pauses a key from its details: the row says Paused, the edge answers 401 api_key_disabled, and Resume lets it through again", async () => {
    const { el, token } = await asNewUser();
    const { key, secret } = await createThroughApi(token, "Nightly export");
    await el.load();
    expect((await whoami(secret)).status).to.equal(200);
    const updates: Event[] = [];
    el.addEventListener("api-key-updated", (e) => updates.push(e));

    await openDetails(el, "Nightly export");
    expect(text(el, "[part=pause-button]")).to.equal("Pause key");
    await expectAccessible(el, "details of an active key");
    button(el, "Pause key").click();
    await until(() => rowOf(el, "Nightly export")?.querySelector("[part=paused]"), "the Paused badge");
    expect(rowOf(el, "Nightly export")!.querySelector("[part=badge]")!.textContent, "still active").to.equal("Active");
    expect(text(el, "[part=pause-button]")).to.equal("Resume key");
    expect(text(el, "[part=facts]")).to.contain("Paused: requests with this key are refused until it is resumed.");
    await until(() => announced(el) === "Nightly export was paused.", "the announcement");
    await expectAccessible(el, "details of a paused key");

    const refused = await whoami(secret);
    expect(refused.status).to.equal(401);
    expect((refused.body as unknown as { code: string }).code).to.equal("api_key_disabled");
    expect((await keyOf(token, key.id)).key.enabled).to.equal(false);

    button(el, "Resume key").click();
    await until(() => !rowOf(el, "Nightly export")?.querySelector("[part=paused]"), "the badge gone");
    await until(() => announced(el) === "Nightly export was resumed.", "the announcement");
    expect((await whoami(secret)).status).to.equal(200);
    expect(updates).to.have.length(2);
    button(el, "Close").click();
    await until(() => !openDialog(el), "closed");
    await expectAccessible(el, "list after resuming");
  });

  it("keeps the focus on Pause/Resume while the pause is under way and after, so Enter resumes at once", async () => {
    const { el, token } = await asNewUser();
    await createThroughApi(token, "Focus key");
    await el.load();
    await openDetails(el, "Focus key");
    const pause = $<HTMLButtonElement>(el, "[part=pause-button]")!;
    pause.focus();
    pause.click();
    await el.updateComplete;
    // (Compared as booleans: a failing comparison of DOM nodes hangs the test runner's report.)
    expect(shadow(el).activeElement === pause, "focused while busy").to.equal(true);
    expect(pause.getAttribute("aria-disabled"), "busy, said without taking the focus away").to.equal("true");
    pause.click(); // ignored while busy
    await until(() => text(el, "[part=pause-button]") === "Resume key", "Resume key");
    await el.updateComplete;
    expect(shadow(el).activeElement === $(el, "[part=pause-button]"), "the focus stays on the button").to.equal(true);
    expect($(el, "[part=pause-button]")!.getAttribute("aria-disabled")).to.equal("false");
    await new Promise((r) => setTimeout(r, 300));
    expect(text(el, "[part=pause-button]"), "the second click did nothing").to.equal("Resume key");
  });

  it("announces a pause where a screen reader hears it: inside the open modal dialog, not only in the inert page behind it", async () => {
    const { el, token } = await asNewUser();
    await createThroughApi(token, "Announced key");
    await el.load();
    await openDetails(el, "Announced key");
    button(el, "Pause key").click();
    await until(() => announced(el) === "Announced key was paused.", "the announcement");
    const tree = JSON.stringify(await a11ySnapshot({}));
    expect(tree.includes("Announced key was paused."), "the announcement is in the accessibility tree").to.equal(true);
    button(el, "Close").click();
    await until(() => !openDialog(el), "closed");
    button(el, "Revoke Announced key").click();
    await until(() => openDialog(el)?.querySelector("#revoke-reason"), "the confirmation");
    button(el, "Revoke key").click();
    await until(() => !openDialog(el) && announced(el) === "Announced key was revoked.", "revoked");
    expect(JSON.stringify(await a11ySnapshot({})).includes("Announced key was revoked."), "and in the page once the dialog has closed").to.equal(true);
  });

  it("shows a key revoked elsewhere as revoked when its Pause is refused (409), in its details and its row, with no Pause left to try", async () => {
    const { el, token } = await asNewUser();
    const { key } = await createThroughApi(token, "Revoked elsewhere");
    await el.load();
    await openDetails(el, "Revoked elsewhere");
    expect((await callApi(token, "POST", `/v1/keys/${key.id}/revoke`, { reason: "Another tab" })).status).to.equal(200);
    button(el, "Pause key").click();
    await until(() => text(el, "[role=alert]"), "the refusal");
    expect(text(el, "[role=alert]")).to.equal("This key no longer exists or has changed in the meantime. Reload the list.");
    await until(() => !$(el, "[part=pause-button]"), "no Pause on a revoked key", 4000).catch(() => undefined);
    expect(!!$(el, "[part=pause-button]"), "no Pause left to try").to.equal(false);
    expect(pairs(el, "[part=facts]")).to.deep.equal([["Revocation reason", "Another tab"]]);
    expect(rowOf(el, "Revoked elsewhere")!.querySelector("[part=badge]")!.textContent).to.equal("Revoked");
    expect(text(el, "[role=alert]"), "the refusal still says why").to.equal("This key no longer exists or has changed in the meantime. Reload the list.");
  });

  it("offers only the lifetimes the org's policy allows, preselects its default expiry and shows the policy read-only", async () => {
    const orgId = unique("org");
    const policy = { requireExpiry: true, maxKeyLifetimeDays: 60, defaultExpiryDays: 45, maxActiveKeysPerUser: 3, revokeUnusedAfterDays: 30 };
    expect((await setOrgPolicy(orgId, policy)).status).to.equal(200);
    const { el, token } = await asNewUser(["contacts:read"], orgId);
    await createThroughApi(token, "Existing");
    await createThroughApi(token, "A decoy", { canary: true });
    await el.load();
    button(el, "New API key").click();
    await until(() => openDialog(el)?.querySelector("[part=active-count]"), "the create form with the count");

    const expiry = $<HTMLSelectElement>(el, "#key-expiry")!;
    expect([...expiry.options].map((o) => o.value), "nothing beyond 60 days, no 'No expiry'").to.deep.equal(["30", "45", "60", "custom"]);
    expect([...expiry.options].map((o) => o.textContent)).to.deep.equal(["30 days", "45 days", "60 days", "Custom date"]);
    expect(expiry.value, "the org's default expiry").to.equal("45");
    expect(text(el, "#key-expiry-help")).to.equal("Your organization requires every key to expire, at most 60 days ahead.");
    expect(text(el, "[part=active-count]"), "the canary is not counted").to.equal("You have 1 of 3 active keys.");
    expect(pairs(el, "[part=policy]")).to.deep.equal([
      ["Keys must expire", "Yes"],
      ["Longest lifetime", "60 days"],
      ["Default expiry", "45 days"],
      ["Active keys per user", "3"],
      ["Most a key’s own limits may allow", "10 per second, 100 per minute"],
      ["Members may create keys", "Yes"],
      ["Unused keys revoked after", "30 days"],
    ]);
    await expectAccessible(el, "create form under a policy");

    choose(el, "key-expiry", "custom");
    await el.updateComplete;
    expect($<HTMLInputElement>(el, "#key-date")!.max, "the custom date stops at the maximum lifetime").to.equal(dateIn(60));
    type(el, "key-name", "Policy key");
    type(el, "key-date", dateIn(61));
    button(el, "Create key").click();
    await until(() => text(el, "#key-date-error"), "the form's refusal");
    expect(text(el, "#key-date-error")).to.equal("Choose a date in the future within the allowed lifetime.");

    choose(el, "key-expiry", "45");
    button(el, "Create key").click();
    await until(() => $(el, "[part=secret]"), "the reveal");
    const created = (await callApi<{ keys: ApiKey[] }>(token, "GET", "/v1/keys")).body.keys.find((k) => k.name === "Policy key")!;
    expect(Date.parse(created.expiresAt!) - Date.now()).to.be.closeTo(45 * DAY, 60_000);
  });

  it("shows a member why there is no create button where only admins may create keys, and an admin the button", async () => {
    const orgId = unique("org");
    expect((await setOrgPolicy(orgId, { membersMayCreateKeys: false })).status).to.equal(200);
    const { el } = await asNewUser(["contacts:read"], orgId);
    await until(() => $(el, "[part=create-note]"), "the note");
    expect(text(el, "[part=create-note]")).to.equal("Your organization lets only its admins create keys.");
    expect($(el, "[part=create-button]")).to.equal(null);
    expect(text(el, "[part=empty]"), "no Create your first key either").to.equal("No API keys yet.");
    await expectAccessible(el, "a member who may not create keys");

    const admin = await signIn({ userId: unique("admin"), orgId, permissions: ["api_keys:admin", "contacts:read"] });
    const asAdmin = await mount({ apiBase: WORKER, token: admin });
    await until(() => $(asAdmin, "[part=empty]"), "first load");
    await new Promise((r) => setTimeout(r, 300));
    expect($(asAdmin, "[part=create-button]")).to.not.equal(null);
    expect($(asAdmin, "[part=create-note]")).to.equal(null);
  });

  it("recommends graceUntilIdle in the rotation wizard and shows how often and when the old key was used during its grace", async () => {
    const { el, token } = await asNewUser();
    const { key: old, secret: oldSecret } = await createThroughApi(token, "Zapier");
    await el.load();
    await until(() => rowOf(el, "Zapier"), "row");
    button(el, "Rotate Zapier").click();
    await until(() => openDialog(el)?.querySelector("#idle"), "step 1");
    const [idleMode, fixedMode] = [...shadow(el).querySelectorAll<HTMLInputElement>("input[name=grace-mode]")];
    expect(idleMode!.checked, "the recommended choice is preselected").to.equal(true);
    expect(idleMode!.parentElement!.textContent!.trim()).to.equal("Once the integration has switched (recommended)");
    expect(fixedMode!.checked).to.equal(false);
    expect([...$<HTMLSelectElement>(el, "#idle")!.options].map((o) => [o.value, o.textContent])).to.deep.equal([
      ["300", "5 minutes"],
      ["900", "15 minutes"],
      ["3600", "1 hour"],
      ["86400", "1 day"],
    ]);
    expect($<HTMLSelectElement>(el, "#idle")!.value).to.equal("3600");
    await expectAccessible(el, "rotate step 1 with graceUntilIdle");
    choose(el, "idle", "300");
    button(el, "Create new key").click();
    await until(() => text(el, "[part=secret] code").startsWith("ak_live_"), "step 2");
    const nextSecret = text(el, "[part=secret] code");
    button(el, "Next").click();
    await until(() => $(el, "[part=drain]"), "step 3 with the drain");
    expect(text(el, "[part=drain]")).to.equal(
      "The old key has not been used since the rotation. It stops by itself once the new key is used and the old one has then been idle for 5 minutes.",
    );
    const stored = await keyOf(token, old.id);
    expect(stored.drain?.idleSeconds, "sent as graceUntilIdle").to.equal(300);
    expect(stored.drain?.graceEndsAt, "no fixed end chosen").to.equal(null);
    await expectAccessible(el, "rotate step 3 with the drain");

    expect(await useKey(oldSecret)).to.equal(200);
    expect(await useKey(oldSecret)).to.equal(200);
    button(el, "Check again").click();
    await until(() => text(el, "[part=drain]").includes("used 2 times"), "the old key's uses");
    expect(text(el, "[part=drain]")).to.match(/^Since the rotation, the old key was used 2 times, last (now|\d+ seconds? ago)\./);

    expect(await useKey(nextSecret)).to.equal(200);
    button(el, "Check again").click();
    await until(() => $(el, "[part=verify-status].ok") && text(el, "[part=drain]").includes("If it is not used again"), "the idle end");
    expect(text(el, "[part=drain]")).to.match(/If it is not used again, it stops in [45] minutes\.$/);
    button(el, "Next").click();
    await until(() => $(el, "[part=revoke-old-button]"), "step 4");
    expect(text(el, "[part=drain]")).to.contain("used 2 times");
    await expectAccessible(el, "rotate step 4 with the drain");
  });

  it("closes the rotation wizard, its secret and its drain polling when another user signs in, and any dialog when the user signs out", async () => {
    const { el, token } = await asNewUser();
    const { key: old } = await createThroughApi(token, "Zapier");
    await el.load();
    await until(() => rowOf(el, "Zapier"), "row");
    el.verifyInterval = 200;
    button(el, "Rotate Zapier").click();
    await until(() => openDialog(el)?.querySelector("#idle"), "step 1");
    button(el, "Create new key").click();
    await until(() => text(el, "[part=secret] code").startsWith("ak_live_"), "step 2");
    button(el, "Next").click();
    await until(() => $(el, "[part=drain]"), "step 3");

    const polls: string[] = [];
    const original = window.fetch;
    window.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
      const url = String(input instanceof Request ? input.url : input);
      if (url.includes(old.id)) polls.push(url);
      return original(input, init);
    };
    try {
      el.token = await signIn({ userId: unique("user"), orgId: unique("org") });
      await until(() => $(el, "[part=empty], [part=table]"), "the new user's list");
      await el.updateComplete;
      // (Compared as booleans: a failing comparison of DOM nodes hangs the test runner's report.)
      expect(!!openDialog(el), "no dialog of the previous user").to.equal(false);
      expect(shadow(el).innerHTML.includes("ak_live_"), "the previous user's new key is gone").to.equal(false);
      polls.length = 0;
      await new Promise((r) => setTimeout(r, 700));
      expect(polls, "no more polls of the previous user's key").to.deep.equal([]);
    } finally {
      window.fetch = original;
    }

    button(el, "New API key").click();
    await until(() => openDialog(el)?.querySelector("#key-name"), "create form");
    el.token = null;
    await el.updateComplete;
    expect(!!openDialog(el), "signed out: the form is gone").to.equal(false);
  });

  it("says in the rotation wizard when the successor expires under the org's policy as it is now, as the server then issues it", async () => {
    const { el, token, orgId } = await asNewUser();
    const yearAhead = new Date(Date.now() + 365 * DAY).toISOString();
    await createThroughApi(token, "Year key", { expiresAt: yearAhead });
    await createThroughApi(token, "Forever key");
    // The policy tightens after the keys were made: their successors get at most 30 days; a key without expiry, the default 14.
    expect((await setOrgPolicy(orgId, { requireExpiry: true, maxKeyLifetimeDays: 30, defaultExpiryDays: 14 })).status).to.equal(200);
    await el.load();
    const day = (ms: number) => new Intl.DateTimeFormat("en", { dateStyle: "medium" }).format(new Date(Date.now() + ms));
    const shownExpiry = () => pairs(el, ".summary").find(([term]) => term === "Expires")?.[1];
    for (const [name, days] of [["Year key", 30], ["Forever key", 14]] as const) {
      await until(() => rowOf(el, name), "row");
      button(el, `Rotate ${name}`).click();
      await until(() => openDialog(el)?.querySelector("#idle") && shownExpiry() === day(days * DAY), `step 1 of ${name} with the policy's lifetime`, 4000).catch(() => undefined);
      expect(shownExpiry(), `${name}: the successor's expiry`).to.equal(day(days * DAY));
      button(el, "Create new key").click();
      await until(() => text(el, "[part=secret] code").startsWith("ak_live_"), "step 2");
      const successor = (await callApi<{ keys: ApiKey[] }>(token, "GET", "/v1/keys?status=active")).body.keys.find((k) => k.name === name && !k.rotatedToId)!;
      expect(Date.parse(successor.expiresAt!) - Date.now(), "as the server issued it").to.be.closeTo(days * DAY, 120_000);
      button(el, "Next").click();
      await until(() => $(el, "[part=verify-status]"), "step 3");
      button(el, "Next").click();
      await until(() => text(el, "[part=wizard-step]").startsWith("Step 4"), "step 4");
      button(el, "Finish").click();
      await until(() => !openDialog(el), "closed");
    }
  });

  it("lists canary keys apart, never offers to rotate them, and creates one from Advanced", async () => {
    const { el, token } = await asNewUser();
    await createThroughApi(token, "Real integration");
    await createThroughApi(token, "prod-db-backup", { canary: true });
    await el.load();
    await until(() => $(el, "[part=canaries]"), "the canary section");
    const names = (selector: string) => [...shadow(el).querySelectorAll(`${selector} [part=row] strong`)].map((s) => s.textContent);
    expect(names("[part=table]")).to.deep.equal(["Real integration"]);
    expect(names("[part=canaries]")).to.deep.equal(["prod-db-backup"]);
    expect(text(el, "#canaries-title")).to.equal("Canary keys");
    expect(rowOf(el, "prod-db-backup")!.querySelector("[part=rotate-button]")).to.equal(null);
    expect(rowOf(el, "prod-db-backup")!.querySelector("[part=hint]"), "never used is what a decoy is for").to.equal(null);
    await expectAccessible(el, "list with canary keys");

    button(el, "New API key").click();
    await until(() => openDialog(el)?.querySelector("#key-canary"), "create form");
    type(el, "key-name", "Honeytoken in the wiki");
    const canary = $<HTMLInputElement>(el, "#key-canary")!;
    canary.checked = true;
    canary.dispatchEvent(new Event("change"));
    await el.updateComplete;
    expect(openDialog(el)!.querySelector("details")!.open, "Advanced stays open").to.equal(true);
    expect($(el, "#key-ips"), "a canary takes no IP allowlist").to.equal(null);
    expect(text(el, "#key-canary-help")).to.contain("any use is refused like an unknown key and raises an alert");
    await expectAccessible(el, "create form making a canary");
    button(el, "Create key").click();
    await until(() => $(el, "[part=secret]"), "reveal");
    const secret = text(el, "[part=secret] code");
    button(el, "I have stored it").click();
    await until(() => !openDialog(el), "closed");
    expect(names("[part=canaries]")).to.deep.equal(["Honeytoken in the wiki", "prod-db-backup"]);
    expect(names("[part=table]")).to.deep.equal(["Real integration"]);
    const used = await whoami(secret);
    expect([used.status, (used.body as unknown as { code: string }).code], "answered like an unknown key").to.deep.equal([401, "invalid_api_key"]);
  });

  it("lists a canary key apart even when 50 newer keys fill the list's first page", async () => {
    const { el, token } = await asNewUser();
    await createThroughApi(token, "Planted long ago", { canary: true });
    for (let i = 0; i < 50; i++) await createThroughApi(token, `Integration ${i}`);
    await el.load();
    await until(() => $(el, "[part=canaries]"), "the canary section");
    const names = (selector: string) => [...shadow(el).querySelectorAll(`${selector} [part=row] strong`)].map((s) => s.textContent);
    expect(names("[part=canaries]")).to.deep.equal(["Planted long ago"]);
    expect(names("[part=table]")).to.have.length(50);
    expect(names("[part=table]")).not.to.include("Planted long ago");
  });

  it("revokes with a reason, shown on the revoked key's row and in its details", async () => {
    const { el, token } = await asNewUser();
    const { key } = await createThroughApi(token, "Old CRM");
    await el.load();
    await until(() => rowOf(el, "Old CRM"), "row");
    button(el, "Revoke Old CRM").click();
    await until(() => openDialog(el)?.querySelector("#revoke-reason"), "the confirmation");
    expect(text(el, "label[for=revoke-reason]")).to.equal("Reason (optional)");
    type(el, "revoke-reason", "  Integration retired ");
    await expectAccessible(el, "revoke confirmation with a reason");
    button(el, "Revoke key").click();
    await until(() => !openDialog(el), "closed");
    expect(rowOf(el, "Old CRM")!.querySelector("[part=badge]")!.textContent).to.equal("Revoked");
    expect(rowOf(el, "Old CRM")!.querySelector("[part=revoked-reason]")!.textContent).to.equal("Reason: Integration retired");
    expect((await keyOf(token, key.id)).key.revokedReason).to.equal("Integration retired");

    await el.load();
    await openDetails(el, "Old CRM");
    expect(pairs(el, "[part=facts]")).to.deep.equal([["Revocation reason", "Integration retired"]]);
    expect($(el, "[part=pause-button]"), "a revoked key is neither paused nor resumed").to.equal(null);
    await expectAccessible(el, "details of a revoked key with its reason");
  });

  it("shows a key's credits, exact from its Durable Object, with the next refill's local date and time (midnight UTC is the day before in New York), and its own rate limits within a raised org ceiling", async () => {
    await executeServerCommand("emulate-timezone", "America/New_York");
    try {
      await creditsAndLimits();
    } finally {
      await executeServerCommand("emulate-timezone", null);
    }
  });

  async function creditsAndLimits(): Promise<void> {
    const orgId = unique("org");
    const ceiling = [
      { windowSeconds: 1, limit: 50 },
      { windowSeconds: 86_400, limit: 100_000 },
    ];
    expect((await setOrgPolicy(orgId, { keyLimitCeiling: ceiling })).status).to.equal(200);
    const { el, token } = await asNewUser(["contacts:read"], orgId);
    const created = await callApi<{ key: ApiKey; secret: string }>(token, "POST", "/v1/keys", {
      name: "Metered",
      credits: { remaining: 100, refill: { amount: 100, interval: "month" } },
      limits: [
        { name: "burst", limit: 50, windowSeconds: 1 },
        { name: "daily", limit: 20_000, windowSeconds: 86_400 },
      ],
    });
    expect(created.status).to.equal(201);
    for (let i = 0; i < 3; i++) expect(await useKey(created.body.secret)).to.equal(200);
    await el.load();
    await openDetails(el, "Metered");
    await until(() => text(el, "[part=facts]").includes("97 credits"), "the exact balance");
    const { key } = await keyOf(token, created.body.key.id);
    const next = new Date(key.credits!.nextRefillAt!);
    expect([next.getUTCDate(), next.getUTCHours(), next.getDate()], "the 1st at 00:00 UTC, the day before in New York").to.deep.equal([1, 0, new Date(next.getTime() - 1).getDate()]);
    const refill = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "short" }).format(next);
    expect(pairs(el, "[part=facts]")).to.deep.equal([
      ["Credits", `97 credits left · refills 100 monthly on ${refill}`],
      ["Rate limits", "50 per second, 20,000 per day"],
    ]);
    await expectAccessible(el, "details with credits and limits");
  }

  it("shows the description and the metadata read-only with their warning, and edits the description", async () => {
    const { el, token } = await asNewUser();
    const { key } = await createThroughApi(token, "CRM sync", { description: "Nightly export to the CRM", meta: { plan: "pro", seats: 5 } });
    await el.load();
    await openDetails(el, "CRM sync");
    expect(pairs(el, "[part=facts]")).to.deep.equal([
      ["Description", "Nightly export to the CRM"],
      ["Rate limits", "10 per second, 100 per minute"],
    ]);
    expect(pairs(el, "[part=meta]")).to.deep.equal([
      ["plan", "pro"],
      ["seats", "5"],
    ]);
    expect(text(el, "[part=meta] [role=note]")).to.contain("Never put a secret, password or token in them.");
    await expectAccessible(el, "details with description and metadata");
    button(el, "Close").click();
    await until(() => !openDialog(el), "closed");

    button(el, "Edit CRM sync").click();
    await until(() => openDialog(el)?.querySelector("#key-description"), "edit form");
    expect($<HTMLInputElement>(el, "#key-description")!.value).to.equal("Nightly export to the CRM");
    type(el, "key-description", "Hourly export");
    button(el, "Save").click();
    await until(() => !openDialog(el), "saved");
    const stored = (await keyOf(token, key.id)).key;
    expect([stored.description, stored.meta]).to.deep.equal(["Hourly export", { plan: "pro", seats: 5 }]);

    button(el, "Edit CRM sync").click();
    await until(() => openDialog(el)?.querySelector("#key-description"), "edit form");
    type(el, "key-description", "");
    button(el, "Save").click();
    await until(() => !openDialog(el), "saved");
    expect((await keyOf(token, key.id)).key.description, "emptied: removed").to.equal(null);
  });
});
