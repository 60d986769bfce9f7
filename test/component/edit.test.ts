import { sendKeys } from "@web/test-runner-commands";
import type { ApiKeysSettings } from "../../component/src/api-keys-settings";
import type { ApiKeyUpdatedEvent } from "../../component/src/events";
import type { ApiKey } from "../../component/src/types";
import { asNewUser, button, callApi, createThroughApi, expect, expectAccessible, mount, openDialog, setOrgPolicy, shadow, signIn, unique, until, whoami, WORKER } from "./helpers";

const DAY = 86_400_000;

/** The `yyyy-mm-dd` local date `days` from now, as a date input takes it. */
function dateIn(days: number, from = Date.now()): string {
  const at = new Date(from + days * DAY);
  return new Date(at.getTime() - at.getTimezoneOffset() * 60_000).toISOString().slice(0, 10);
}

const row = (el: ApiKeysSettings) => shadow(el).querySelector("[part=row]")!;
const announced = (el: ApiKeysSettings) => shadow(el).querySelector("[role=status][aria-live]")!.textContent!.trim();
const field = (el: ApiKeysSettings, id: string) => shadow(el).querySelector<HTMLInputElement>(`#${id}`)!;
const errorOf = (el: ApiKeysSettings, id: string) => shadow(el).querySelector(`#${id}-error`)!.textContent!.trim();

function type(el: ApiKeysSettings, id: string, value: string): void {
  const input = field(el, id);
  input.value = value;
  input.dispatchEvent(new Event("input"));
}

async function openEdit(el: ApiKeysSettings, name: string): Promise<void> {
  await until(() => shadow(el).querySelector("[part=row]"), "row");
  button(el, `Edit ${name}`).click();
  await until(() => openDialog(el), "edit dialog");
}

async function keyOf(token: string, id: string): Promise<ApiKey> {
  return (await callApi<{ key: ApiKey }>(token, "GET", `/v1/keys/${id}`)).body.key;
}

describe("<api-keys-settings> editing a key against the real Worker", () => {
  it("renames a key and moves its expiry earlier: both persist, the row updates, the focus returns to Edit", async () => {
    const { el, token } = await asNewUser();
    const { key, secret } = await createThroughApi(token, "Old name", { expiresAt: new Date(Date.now() + 90 * DAY).toISOString() });
    await el.load();
    const updates: ApiKeyUpdatedEvent[] = [];
    el.addEventListener("api-key-updated", (e) => updates.push(e));
    await openEdit(el, "Old name");
    expect(openDialog(el)!.querySelector("h3")!.textContent).to.equal("Edit Old name");
    expect(field(el, "key-name").value).to.equal("Old name");
    expect(field(el, "key-date").value, "the current expiry, kept unless changed").to.equal(dateIn(0, Date.parse(key.expiresAt!)));
    expect(field(el, "key-date").max, "never later than the current expiry").to.equal(field(el, "key-date").value);
    await expectAccessible(el, "edit dialog");

    type(el, "key-name", "  New name ");
    type(el, "key-date", dateIn(30));
    button(el, "Save").click();
    await until(() => !openDialog(el), "dialog closed");
    expect(row(el).querySelector("strong")!.textContent).to.equal("New name");
    await until(() => announced(el) === "New name was updated.", "announcement");
    expect(shadow(el).activeElement?.getAttribute("aria-label"), "focus back on the row's Edit").to.equal("Edit New name");
    expect(updates.map((e) => e.key.name)).to.deep.equal(["New name"]);

    const stored = await keyOf(token, key.id);
    expect(stored.name).to.equal("New name");
    expect(stored.expiresAt).to.equal(new Date(Date.parse(`${dateIn(30)}T23:59:59`)).toISOString());
    expect((await whoami(secret)).body.key.name).to.equal("New name");
    await el.load();
    await until(() => shadow(el).querySelector("[part=row]"), "row after reload");
    expect(row(el).querySelector("strong")!.textContent).to.equal("New name");
    expect(row(el).textContent).to.contain(new Intl.DateTimeFormat("en", { dateStyle: "medium" }).format(new Date(stored.expiresAt!)));
    await expectAccessible(el, "list after the edit");
  });

  it("refuses a later expiry in the form, and shows the server's refusal when the expiry moved earlier meanwhile", async () => {
    const { el, token } = await asNewUser();
    const { key } = await createThroughApi(token, "Shorten me", { expiresAt: new Date(Date.now() + 60 * DAY).toISOString() });
    await el.load();
    await openEdit(el, "Shorten me");
    type(el, "key-date", dateIn(61));
    button(el, "Save").click();
    await until(() => errorOf(el, "key-date"), "the form's refusal");
    expect(errorOf(el, "key-date")).to.equal("An expiry can only move earlier.");
    expect(field(el, "key-date").getAttribute("aria-invalid")).to.equal("true");
    expect((await keyOf(token, key.id)).expiresAt, "nothing was sent").to.equal(key.expiresAt);
    await expectAccessible(el, "edit dialog refusing a later date");

    // Someone else shortens it to 10 days; this dialog still allows up to 60.
    const shortened = await callApi<{ key: ApiKey }>(token, "PATCH", `/v1/keys/${key.id}`, { expiresAt: new Date(Date.now() + 10 * DAY).toISOString() });
    expect(shortened.status).to.equal(200);
    type(el, "key-date", dateIn(20));
    button(el, "Save").click();
    await until(() => errorOf(el, "key-date").startsWith("expiresAt can only move earlier"), "the server's refusal next to the date");
    expect(openDialog(el)).to.not.equal(null);
    expect((await keyOf(token, key.id)).expiresAt).to.equal(shortened.body.key.expiresAt);
    await expectAccessible(el, "edit dialog with the server's refusal");
  });

  it("gives a key without expiry one; the name alone changing leaves the expiry as it was", async () => {
    const { el, token } = await asNewUser();
    const { key } = await createThroughApi(token, "Forever");
    await el.load();
    await until(() => (el as unknown as { policy: unknown }).policy, "the org's policy");
    await openEdit(el, "Forever");
    expect(field(el, "key-date").value).to.equal("");
    expect(field(el, "key-date").max, "no expiry: any date the deployment's maximum lifetime (365 days) allows").to.equal(dateIn(365));
    type(el, "key-date", dateIn(7));
    button(el, "Save").click();
    await until(() => !openDialog(el), "closed");
    expect((await keyOf(token, key.id)).expiresAt).to.equal(new Date(Date.parse(`${dateIn(7)}T23:59:59`)).toISOString());

    const expiry = (await keyOf(token, key.id)).expiresAt;
    await openEdit(el, "Forever");
    type(el, "key-name", "Renamed only");
    button(el, "Save").click();
    await until(() => !openDialog(el), "closed");
    const stored = await keyOf(token, key.id);
    expect([stored.name, stored.expiresAt]).to.deep.equal(["Renamed only", expiry]);
  });

  it("gives a key without expiry one only within the org's maximum lifetime: the picker stops there, a later date is refused in the form", async () => {
    const orgId = unique("org");
    const token = await signIn({ userId: unique("user"), orgId, name: "Policy user", permissions: ["contacts:read"] });
    const { key } = await createThroughApi(token, "Forever");
    expect(key.expiresAt).to.equal(null);
    expect((await setOrgPolicy(orgId, { maxKeyLifetimeDays: 30 })).status).to.equal(200);
    const el = await mount({ apiBase: WORKER, token });
    await until(() => (el as unknown as { policy: unknown }).policy, "the org's policy");
    await openEdit(el, "Forever");
    expect(field(el, "key-date").max, "the org's maximum lifetime ahead").to.equal(dateIn(30));
    type(el, "key-date", dateIn(40));
    button(el, "Save").click();
    await until(() => errorOf(el, "key-date"), "the form's refusal");
    expect(errorOf(el, "key-date")).to.equal("Choose a date in the future within the allowed lifetime.");
    expect((await keyOf(token, key.id)).expiresAt, "nothing was sent").to.equal(null);
    await expectAccessible(el, "edit refusing a date beyond the org's maximum lifetime");
    type(el, "key-date", dateIn(20));
    button(el, "Save").click();
    await until(() => !openDialog(el), "dialog closed");
    expect((await keyOf(token, key.id)).expiresAt).to.equal(new Date(Date.parse(`${dateIn(20)}T23:59:59`)).toISOString());
  });

  it("closes with Escape and gives the focus back to Edit, changing nothing", async () => {
    const { el, token } = await asNewUser();
    const { key } = await createThroughApi(token, "Untouched");
    await el.load();
    await until(() => shadow(el).querySelector("[part=row]"), "row");
    button(el, "Edit Untouched").focus();
    await sendKeys({ press: "Enter" });
    await until(() => openDialog(el), "edit dialog");
    await until(() => shadow(el).activeElement?.id === "key-name", "focus in the name field");
    await sendKeys({ type: "X" });
    await sendKeys({ press: "Escape" });
    await until(() => !openDialog(el), "closed by Escape");
    expect(shadow(el).activeElement?.getAttribute("aria-label")).to.equal("Edit Untouched");
    expect((await keyOf(token, key.id)).name).to.equal("Untouched");
  });
});
