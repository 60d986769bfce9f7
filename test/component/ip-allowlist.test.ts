// The IP allowlist editor (create under "Advanced", and edit) against the real Worker, and the
// element's own parser held to the Worker's rules entry by entry.
import { sendKeys } from "@web/test-runner-commands";
import type { ApiKeysSettings } from "../../component/src/api-keys-settings";
import { checkEntry } from "../../component/src/ip-allowlist";
import type { ApiKey } from "../../component/src/types";
import {
  asNewUser,
  button,
  callApi,
  expect,
  expectAccessible,
  fakeKey,
  mount,
  openDialog,
  shadow,
  stubFetch,
  until,
  useKey,
} from "./helpers";

const field = (el: ApiKeysSettings, id: string) => shadow(el).querySelector<HTMLInputElement | HTMLTextAreaElement>(`#${id}`)!;
const errorOf = (el: ApiKeysSettings, id: string) => shadow(el).querySelector(`#${id}-error`)!.textContent!.trim();
const announced = (el: ApiKeysSettings) => shadow(el).querySelector("[role=status][aria-live]")!.textContent!.trim();
const marker = (el: ApiKeysSettings) => shadow(el).querySelector<HTMLElement>("[part=row] [part=ip-restricted]");
const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": status < 300 ? "application/json" : "application/problem+json" } });

function type(el: ApiKeysSettings, id: string, value: string): void {
  const input = field(el, id);
  input.value = value;
  input.dispatchEvent(new Event("input"));
}

async function openCreate(el: ApiKeysSettings, name: string): Promise<void> {
  button(el, "New API key").click();
  await until(() => openDialog(el), "create dialog");
  type(el, "key-name", name);
  openDialog(el)!.querySelector("summary")!.click();
  await until(() => field(el, "key-ips").checkVisibility(), "the allowlist under Advanced");
}

async function keyOf(token: string, id: string): Promise<ApiKey> {
  return (await callApi<{ key: ApiKey }>(token, "GET", `/v1/keys/${id}`)).body.key;
}

/** Entries the parser accepts, with the canonical form the Worker stores. */
const ACCEPTED: [string, string][] = [
  ["203.0.113.0/24", "203.0.113.0/24"],
  ["192.0.2.7", "192.0.2.7/32"],
  ["0.0.0.0/0", "0.0.0.0/0"],
  ["2001:DB8::/32", "2001:db8::/32"],
  ["2001:db8:0:0:0:0:0:1", "2001:db8::1/128"],
  ["1:0:0:1:0:0:0:1/128", "1:0:0:1::1/128"],
  ["::/0", "::/0"],
  ["::1", "::1/128"],
  ["::ffff:10.0.0.0/104", "10.0.0.0/8"],
  ["::ffff:192.0.2.1", "192.0.2.1/32"],
  ["1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304/128"],
  ["fe80::/10", "fe80::/10"],
];
/** Entries it refuses, with the reason. */
const REFUSED: [string, string][] = [
  ["10.0.0.1/8", "hostBits"],
  ["2001:db8::1/32", "hostBits"],
  ["010.0.0.1", "invalid"],
  ["256.0.0.1", "invalid"],
  ["1.2.3", "invalid"],
  ["1::2::3", "invalid"],
  ["1:2:3:4:5:6:7:8:9", "invalid"],
  ["1:2:3:4:5:6:7::8", "invalid"],
  ["fe80::1%eth0", "invalid"],
  ["[::1]", "invalid"],
  ["1.2.3.4::", "invalid"],
  ["10.0.0.0/33", "prefix"],
  ["10.0.0.0/08", "prefix"],
  ["::/129", "prefix"],
  ["10.0.0.0/", "prefix"],
];

describe("IP allowlists in <api-keys-settings>", () => {
  it("parses entries as the Worker does: what it accepts the Worker stores in the same canonical form, what it refuses the Worker refuses", async () => {
    const { token } = await asNewUser();
    for (const [entry, canonical] of ACCEPTED) expect(checkEntry(entry), entry).to.deep.equal({ ok: true, cidr: canonical });
    for (const [entry, reason] of REFUSED) expect(checkEntry(entry), entry).to.include({ ok: false, reason });
    expect(checkEntry("10.0.0.1/8")).to.deep.equal({ ok: false, reason: "hostBits", meant: "10.0.0.0/8" });

    const created = await callApi<{ key: ApiKey }>(token, "POST", "/v1/keys", { name: "Parser check", allowedIps: ACCEPTED.map(([entry]) => entry) });
    expect(created.status).to.equal(201);
    expect(created.body.key.allowedIps).to.deep.equal([...new Set(ACCEPTED.map(([, canonical]) => canonical))]);
    for (const [entry] of REFUSED) {
      const refused = await callApi<{ code: string; errors: { field: string }[] }>(token, "POST", "/v1/keys", { name: "Refused", allowedIps: ["192.0.2.1", entry] });
      expect([refused.status, refused.body.errors?.map((e) => e.field)], entry).to.deep.equal([422, ["allowedIps.1"]]);
    }
  });

  it("refuses bad entries in the form, each named, tied to the field, sending nothing", async () => {
    const { el, token } = await asNewUser();
    await openCreate(el, "Office only");
    type(el, "key-ips", "10.0.0.1/8\n300.1.1.1, 2001:db8::/129\n\n192.0.2.0/24");
    button(el, "Create key").click();
    await until(() => errorOf(el, "key-ips"), "the form's errors");
    expect(errorOf(el, "key-ips").split("\n")).to.deep.equal([
      "“10.0.0.1/8” has host bits set: did you mean 10.0.0.0/8?",
      "“300.1.1.1” is not an IPv4 or IPv6 address or range.",
      "“2001:db8::/129” has an invalid prefix length: use a whole number from 0 to 128.",
    ]);
    const textarea = field(el, "key-ips");
    expect(textarea.getAttribute("aria-invalid")).to.equal("true");
    expect(textarea.getAttribute("aria-describedby")!.split(" ")).to.include("key-ips-error");
    expect(shadow(el).querySelector<HTMLLabelElement>("label[for=key-ips]")!.textContent).to.equal("Allowed IP addresses");
    await expectAccessible(el, "allowlist with errors");

    type(el, "key-ips", Array.from({ length: 51 }, (_, i) => `192.0.2.${i}`).join("\n"));
    button(el, "Create key").click();
    await until(() => errorOf(el, "key-ips") === "Enter at most 50 addresses or ranges.", "the count refused");
    expect((await callApi<{ keys: ApiKey[] }>(token, "GET", "/v1/keys")).body.keys, "nothing was sent").to.deep.equal([]);
  });

  it("creates a restricted key, marks its row, and edits the list: the Worker refuses other addresses until the list allows them", async () => {
    const { el, token } = await asNewUser();
    await openCreate(el, "Billing export");
    type(el, "key-ips", "203.0.113.0/24, 2001:DB8::/32\n203.0.113.0/24");
    button(el, "Create key").click();
    await until(() => openDialog(el)?.querySelector("#new-secret"), "the new key");
    const secret = openDialog(el)!.querySelector("#new-secret")!.textContent!;
    button(el, "I have stored it").click();
    await until(() => marker(el), "the marker");
    const { keys } = (await callApi<{ keys: ApiKey[] }>(token, "GET", "/v1/keys")).body;
    expect(keys[0]!.allowedIps, "canonical, without the duplicate").to.deep.equal(["203.0.113.0/24", "2001:db8::/32"]);
    expect(marker(el)!.getAttribute("title")).to.equal("Usable only from 203.0.113.0/24, 2001:db8::/32");
    expect(marker(el)!.textContent!.replace(/\s+/g, " ").trim()).to.equal("IP-restricted: Usable only from 203.0.113.0/24, 2001:db8::/32");
    await expectAccessible(el, "a row with the IP-restricted marker");
    expect(await useKey(secret), "this machine is not on the list").to.equal(403);

    button(el, "Edit Billing export").click();
    await until(() => openDialog(el), "edit dialog");
    expect(field(el, "key-ips").value).to.equal("203.0.113.0/24\n2001:db8::/32");
    await expectAccessible(el, "edit dialog with the allowlist");
    type(el, "key-ips", "203.0.113.0/24\n2001:db8::/32\n127.0.0.1\n::1");
    button(el, "Save").click();
    await until(() => !openDialog(el), "saved");
    await until(() => announced(el) === "Billing export was updated.", "announcement");
    expect((await keyOf(token, keys[0]!.id)).allowedIps).to.deep.equal(["203.0.113.0/24", "2001:db8::/32", "127.0.0.1/32", "::1/128"]);
    expect(await useKey(secret), "this machine is on the list now").to.equal(200);

    button(el, "Edit Billing export").click();
    await until(() => openDialog(el), "edit dialog");
    await until(() => shadow(el).activeElement?.id === "key-name", "focus in the form");
    type(el, "key-ips", "");
    await sendKeys({ press: "Enter" });
    await until(() => !openDialog(el), "saved");
    expect((await keyOf(token, keys[0]!.id)).allowedIps, "emptied: any address").to.equal(null);
    await until(() => !marker(el), "no marker");
  });

  it("shows the server's refusal of an entry next to the field, naming the entry (a fetch stub: the form already refuses what the Worker would)", async () => {
    const stub = stubFetch((url, init) => {
      if (url.endsWith("/v1/me")) return json({ permissions: ["contacts:read"], isAdmin: false });
      if (init?.method === "POST") {
        return json(
          { status: 422, code: "validation_failed", errors: [{ field: "allowedIps.1", message: "Must be an IPv4 or IPv6 address or CIDR such as 203.0.113.0/24; this entry is refused." }] },
          422,
        );
      }
      return json({ keys: [fakeKey({ name: "Existing" })], nextCursor: null });
    });
    try {
      const el = await mount({ token: "t", apiBase: "https://api.test" });
      await until(() => shadow(el).querySelector("[part=row]"), "row");
      await openCreate(el, "Refused by the server");
      type(el, "key-ips", "192.0.2.0/24\n198.51.100.0/24");
      button(el, "Create key").click();
      await until(() => errorOf(el, "key-ips"), "the server's refusal");
      expect(errorOf(el, "key-ips")).to.equal("Entry 2: Must be an IPv4 or IPv6 address or CIDR such as 203.0.113.0/24; this entry is refused.");
      expect(field(el, "key-ips").getAttribute("aria-invalid")).to.equal("true");
      expect(openDialog(el)!.querySelector("details")!.open, "Advanced opens by itself").to.equal(true);
      await expectAccessible(el, "the server's refusal of an entry");
    } finally {
      stub.restore();
    }
  });
});
