// A leaked key's banner, against the real Worker: the leak is reported for real, HMAC-signed from
// Node (web-test-runner.config.mjs holds LEAK_REPORT_HMAC_SECRET), and the org's policy is set
// through the admin API.
import type { ApiKeysSettings } from "../../component/src/api-keys-settings";
import type { ApiKeyRevokedEvent, ApiKeyRotatedEvent } from "../../component/src/events";
import {
  asNewUser,
  button,
  createThroughApi,
  expect,
  expectAccessible,
  openDialog,
  reportLeak,
  setLeakPolicy,
  shadow,
  until,
  useKey,
} from "./helpers";

const rowOf = (el: ApiKeysSettings, name: string) =>
  [...shadow(el).querySelectorAll<HTMLElement>("[part=row]")].find((row) => row.querySelector("[part=name] strong")?.textContent === name);
const bannerOf = (root: ParentNode | undefined) => root?.querySelector<HTMLElement>("[part=leak-banner]") ?? null;
const announced = (el: ApiKeysSettings) => shadow(el).querySelector("[role=status][aria-live]")!.textContent!.trim();
const day = (iso: string) => new Intl.DateTimeFormat("en", { dateStyle: "medium" }).format(new Date(iso));

describe("<api-keys-settings> leaked keys against the real Worker", () => {
  it("shows a key revoked by a leak report (the default policy) with where and when it was found, in its row and its details", async () => {
    const { el, token } = await asNewUser();
    const { key, secret } = await createThroughApi(token, "Deploy bot");
    const where = "https://github.com/octo/site/blob/4f2a91c/.env";
    const report = await reportLeak(secret, where);
    expect([report.status, report.body[0]!.label]).to.deep.equal([200, "true_positive"]);
    expect(await useKey(secret), "refused at the edge").to.equal(401);

    await el.load();
    await until(() => bannerOf(rowOf(el, "Deploy bot")), "the banner");
    const row = rowOf(el, "Deploy bot")!;
    const banner = bannerOf(row)!;
    const stored = (await (await fetch(`${window.WORKER_URL}/v1/keys/${key.id}`, { headers: { Authorization: `Bearer ${token}` } })).json()) as {
      key: { leak: { at: string } };
    };
    expect(banner.textContent!.replace(/\s+/g, " ").trim()).to.equal(`This key was found in public at ${where} on ${day(stored.key.leak.at)}; it was revoked.`);
    const link = banner.querySelector("a")!;
    expect([link.getAttribute("href"), link.textContent, link.target, link.rel]).to.deep.equal([where, where, "_blank", "noopener noreferrer"]);
    expect(banner.querySelector("[part=rotate-now-button]"), "nothing left to rotate").to.equal(null);
    expect(row.querySelector("[part=badge]")!.textContent).to.equal("Revoked");
    await expectAccessible(el, "a row with a revoked leak");

    button(el, "Deploy bot").click();
    await until(() => openDialog(el)?.querySelector("#usage-window"), "details view");
    expect(bannerOf(openDialog(el)!)!.textContent!.replace(/\s+/g, " ").trim()).to.equal(banner.textContent!.replace(/\s+/g, " ").trim());
    await expectAccessible(el, "details view of a leaked key");
  });

  it("under the flag policy, says to rotate a leaked key that still works, and Rotate now replaces it in one click", async () => {
    const { el, token, orgId } = await asNewUser();
    expect(await setLeakPolicy(orgId, "flag")).to.equal(200);
    const { key: old, secret: oldSecret } = await createThroughApi(token, "CRM sync", { expiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString() });
    const where = "https://gist.github.com/someone/0c1d2e3f";
    expect((await reportLeak(oldSecret, where)).body[0]!.label).to.equal("true_positive");
    expect(await useKey(oldSecret), "flagged, not revoked").to.equal(200);

    const rotated: ApiKeyRotatedEvent[] = [];
    const revoked: ApiKeyRevokedEvent[] = [];
    el.addEventListener("api-key-rotated", (e) => rotated.push(e));
    el.addEventListener("api-key-revoked", (e) => revoked.push(e));
    await el.load();
    await until(() => bannerOf(rowOf(el, "CRM sync")), "the banner");
    const banner = bannerOf(rowOf(el, "CRM sync"))!;
    expect(banner.querySelector("p")!.textContent!.replace(/\s+/g, " ").trim()).to.match(
      new RegExp(`^This key was found in public at ${where.replace(/[.]/g, "\\.")} on .+\\. Rotate it now\\.$`),
    );
    const rotateNow = button(el, "Rotate now: CRM sync");
    expect(rotateNow.textContent!.trim()).to.equal("Rotate now");
    await expectAccessible(el, "a row with a flagged leak");

    rotateNow.click();
    await until(() => openDialog(el)?.querySelector("#new-secret"), "the new key, shown once");
    const newSecret = openDialog(el)!.querySelector("#new-secret")!.textContent!;
    expect(newSecret).to.match(/^ak_live_[0-9A-Za-z]{64}$/);
    await until(() => openDialog(el)!.contains(shadow(el).activeElement), "focus inside the dialog");
    await until(() => announced(el) === "CRM sync was rotated.", "announcement");
    await expectAccessible(el, "the new key after Rotate now");

    expect(await useKey(oldSecret), "the leaked key stopped at once").to.equal(401);
    expect(await useKey(newSecret)).to.equal(200);
    expect(rotated.map((e) => [e.previous.id, e.key.name])).to.deep.equal([[old.id, "CRM sync"]]);
    expect(revoked.map((e) => [e.key.id, e.key.status])).to.deep.equal([[old.id, "revoked"]]);

    button(el, "I have stored it").click();
    await until(() => !shadow(el).querySelector("dialog")!.open, "closed");
    const oldRow = [...shadow(el).querySelectorAll<HTMLElement>("[part=row]")].find((row) => row.dataset.keyId === old.id)!;
    expect(oldRow.querySelector("[part=badge]")!.textContent).to.equal("Revoked");
    expect(bannerOf(oldRow)!.textContent).to.contain("; it was revoked.");
    expect(bannerOf(oldRow)!.querySelector("button"), "no second rotation").to.equal(null);
    const newRow = [...shadow(el).querySelectorAll<HTMLElement>("[part=row]")].find((row) => row.dataset.keyId !== old.id)!;
    expect(bannerOf(newRow), "the successor never leaked").to.equal(null);
    expect(shadow(el).activeElement?.getAttribute("part"), "focus where the rotation wizard leaves it").to.equal("create-button");
  });

  it("shows a reported place that is no web address as text, never as a link, and markup in it as text", async () => {
    const { el, token } = await asNewUser();
    const { secret } = await createThroughApi(token, "Escaped");
    const where = `javascript:alert(1)//<img src=x onerror="document.title='owned'">`;
    expect((await reportLeak(secret, where)).status).to.equal(200);
    await el.load();
    await until(() => bannerOf(rowOf(el, "Escaped")), "the banner");
    const banner = bannerOf(rowOf(el, "Escaped"))!;
    expect(banner.querySelector("a")).to.equal(null);
    expect(banner.querySelector("img")).to.equal(null);
    expect(banner.querySelector("code")!.textContent).to.equal(where);
    expect(document.title).to.not.equal("owned");
  });

  it("offers no Rotate now on a leaked canary key, which the server never rotates, and asks to revoke it", async () => {
    const { el, token, orgId } = await asNewUser();
    expect(await setLeakPolicy(orgId, "flag")).to.equal(200);
    const { secret } = await createThroughApi(token, "Decoy in the wiki", { canary: true });
    expect((await reportLeak(secret, "https://gist.github.com/x/1")).body[0]!.label).to.equal("true_positive");
    await el.load();
    await until(() => bannerOf(rowOf(el, "Decoy in the wiki")), "the banner");
    const banner = bannerOf(rowOf(el, "Decoy in the wiki"))!;
    // (Compared as booleans: a failing comparison of DOM nodes hangs the test runner's report.)
    expect(!!banner.querySelector("[part=rotate-now-button]"), "no Rotate now: the server answers 409 for a canary").to.equal(false);
    expect(banner.textContent!.replace(/\s+/g, " ").trim()).to.match(/ Revoke it now\.$/);
  });
});
