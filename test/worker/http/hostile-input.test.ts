import { describe, expect, it } from "vitest";
import type { FailureCode } from "../../../worker/errors/failure";
import type { ProblemBody } from "../../../worker/http/problem";
import { call, createKey, snapshotTables, unique, user, type CallOptions, type KeyJson } from "../helpers/api";

/** Where a hostile request is aimed; rotate and revoke get a fresh key of the caller's. */
type Target = "create" | "list" | "read" | "rotate" | "revoke";

/** What to send, built at request time so relative dates and streams are fresh. */
type Send = () => Omit<CallOptions, "token">;

interface HostileCase {
  /** The input as a phrase, completing "answers … to <input>". */
  input: string;
  target: Target;
  send: Send;
  status: number;
  code: FailureCode;
  /** For 422: a field the `errors` list must name … */
  field?: string;
  /** … and what that field's message must say, so a refusal for another reason fails the row. */
  message?: RegExp;
  /** Query string for `list`, path suffix for `read`. */
  query?: string;
  method?: string;
}

const MAX_BODY = 16 * 1024;
const DAY_MS = 86_400_000;
const encoder = new TextEncoder();

const json = (value: unknown): Send => () => ({ json: value });
const named = (name: unknown): Send => json({ name });
const raw = (text: string, contentType: string): Send => () => ({ body: text, headers: { "Content-Type": contentType } });
const bytes = (data: number[] | string, contentType?: string): Send => () => ({
  body: typeof data === "string" ? encoder.encode(data) : new Uint8Array(data),
  headers: contentType ? { "Content-Type": contentType } : undefined,
});
const expiring = (at: () => string): Send => () => ({ json: { name: unique("expiry probe"), expiresAt: at() } });
const scoped = (scopes: unknown): Send => json({ name: unique("scope probe"), scopes });
const grace = (graceSeconds: unknown): Send => json({ graceSeconds });

/** An ISO timestamp `ms` from now. */
const isoIn = (ms: number) => new Date(Date.now() + ms).toISOString();
/** The calendar date (YYYY-MM-DD, UTC) 30 days from now: inside every expiry window. */
const soonDate = () => isoIn(30 * DAY_MS).slice(0, 10);

/** A JSON body of `size` bytes: a valid create request padded with trailing whitespace. */
function paddedBody(size: number): string {
  const text = JSON.stringify({ name: unique("padded") });
  return text + " ".repeat(size - encoder.encode(text).byteLength);
}

/** A ReadableStream of `total` bytes of one long JSON name, in 1 KiB chunks, with no length known up front. */
function chunkedBody(total: number): ReadableStream<Uint8Array> {
  const text = `{"name":"${"a".repeat(total - 11)}"}`;
  const all = encoder.encode(text);
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= all.byteLength) return controller.close();
      controller.enqueue(all.slice(offset, offset + 1024));
      offset += 1024;
    },
  });
}

const FORMAT = /RFC 3339/;

const BODIES: HostileCase[] = [
  { input: "a JSON object that is never closed", target: "create", send: raw('{"name":"x"', "application/json"), status: 400, code: "malformed_json" },
  { input: "a member with no value", target: "create", send: raw('{"name":}', "application/json"), status: 400, code: "malformed_json" },
  { input: "single-quoted JSON", target: "create", send: raw("{'name':'x'}", "application/json"), status: 400, code: "malformed_json" },
  { input: "JSON with a trailing comma", target: "create", send: raw('{"name":"x",}', "application/json"), status: 400, code: "malformed_json" },
  { input: "JSON followed by garbage", target: "create", send: raw('{"name":"x"} trailing', "application/json"), status: 400, code: "malformed_json" },
  { input: "two JSON objects back to back", target: "create", send: raw('{"name":"x"}{"name":"y"}', "application/json"), status: 400, code: "malformed_json" },
  { input: "JSON with a NaN literal", target: "rotate", send: raw('{"graceSeconds":NaN}', "application/json"), status: 400, code: "malformed_json" },
  { input: "JSON with a comment", target: "create", send: raw('{"name":"x" /* hi */}', "application/json"), status: 400, code: "malformed_json" },
  { input: "a JSON array", target: "create", send: json([{ name: "array" }]), status: 422, code: "validation_failed", field: "body" },
  { input: "a JSON string", target: "create", send: json("name"), status: 422, code: "validation_failed", field: "body" },
  { input: "a JSON number", target: "create", send: json(42), status: 422, code: "validation_failed", field: "body" },
  { input: "JSON null", target: "create", send: raw("null", "application/json"), status: 422, code: "validation_failed", field: "body" },
  { input: "JSON true", target: "create", send: json(true), status: 422, code: "validation_failed", field: "body" },
  { input: "arrays nested 5,000 deep", target: "create", send: raw(`${"[".repeat(5000)}${"]".repeat(5000)}`, "application/json"), status: 422, code: "validation_failed", field: "body" },
  { input: "an empty JSON body", target: "create", send: raw("", "application/json"), status: 422, code: "validation_failed", field: "name" },
  { input: "an unknown field next to a valid name", target: "create", send: json({ name: "Extra", admin: true }), status: 422, code: "validation_failed", field: "body", message: /admin/ },
  { input: "an orgId in the body", target: "create", send: json({ name: "Tenant hop", orgId: "org_other" }), status: 422, code: "validation_failed", field: "body", message: /orgId/ },
  { input: "a __proto__ member", target: "create", send: raw('{"name":"Proto","__proto__":{"polluted":true}}', "application/json"), status: 422, code: "validation_failed", field: "body", message: /__proto__/ },
  { input: "a constructor member", target: "create", send: raw('{"name":"Ctor","constructor":{"prototype":{"polluted":true}}}', "application/json"), status: 422, code: "validation_failed", field: "body", message: /constructor/ },
  { input: "a body over 16 KiB that declares its Content-Length", target: "create", send: () => ({ body: paddedBody(MAX_BODY + 1), headers: { "Content-Type": "application/json", "Content-Length": String(MAX_BODY + 1) } }), status: 413, code: "payload_too_large" },
  { input: "a Content-Length over 16 KiB in front of a small body", target: "create", send: () => ({ body: JSON.stringify({ name: "Liar" }), headers: { "Content-Type": "application/json", "Content-Length": String(MAX_BODY + 1) } }), status: 413, code: "payload_too_large" },
  { input: "a 64 KiB body that declares its Content-Length", target: "create", send: () => ({ body: paddedBody(4 * MAX_BODY), headers: { "Content-Type": "application/json", "Content-Length": String(4 * MAX_BODY) } }), status: 413, code: "payload_too_large" },
  // Why the body limit is our own and not hono/body-limit, which trusts a Content-Length under the limit and reads on uncounted.
  { input: "a body over 16 KiB behind a Content-Length that understates it", target: "create", send: () => ({ body: paddedBody(MAX_BODY + 1), headers: { "Content-Type": "application/json", "Content-Length": "20" } }), status: 413, code: "payload_too_large" },
  { input: "a body over 16 KiB streamed without a Content-Length", target: "create", send: () => ({ body: chunkedBody(MAX_BODY + 1), headers: { "Content-Type": "application/json" } }), status: 413, code: "payload_too_large" },
  { input: "a body of 64 KiB streamed without a Content-Length", target: "create", send: () => ({ body: chunkedBody(4 * MAX_BODY), headers: { "Content-Type": "application/json" } }), status: 413, code: "payload_too_large" },
  { input: "a rotate body over 16 KiB streamed without a Content-Length", target: "rotate", send: () => ({ body: chunkedBody(MAX_BODY + 1), headers: { "Content-Type": "application/json" } }), status: 413, code: "payload_too_large" },
  { input: "JSON sent as text/plain", target: "create", send: raw('{"name":"Plain"}', "text/plain"), status: 415, code: "unsupported_media_type" },
  { input: "a form-urlencoded body", target: "create", send: raw("name=Form", "application/x-www-form-urlencoded"), status: 415, code: "unsupported_media_type" },
  { input: "JSON sent without a Content-Type", target: "create", send: bytes('{"name":"Bare"}'), status: 415, code: "unsupported_media_type" },
  { input: "JSON declared as charset latin1", target: "create", send: raw('{"name":"Latin"}', "application/json; charset=latin1"), status: 415, code: "unsupported_media_type" },
  { input: "JSON sent as text/json", target: "create", send: raw('{"name":"TextJson"}', "text/json"), status: 415, code: "unsupported_media_type" },
  { input: "a revoke body sent as text/plain", target: "revoke", send: raw("{}", "text/plain"), status: 415, code: "unsupported_media_type" },
  { input: "bytes that are not UTF-8 (0xFF 0xFE)", target: "create", send: bytes([0x7b, 0x22, 0x6e, 0x61, 0x6d, 0x65, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d], "application/json"), status: 400, code: "malformed_json" },
  { input: "an overlong UTF-8 encoding of a slash", target: "create", send: bytes([0x7b, 0x22, 0x6e, 0x61, 0x6d, 0x65, 0x22, 0x3a, 0x22, 0xc0, 0xaf, 0x22, 0x7d], "application/json"), status: 400, code: "malformed_json" },
  { input: "a UTF-8 encoded surrogate half", target: "create", send: bytes([0x7b, 0x22, 0x6e, 0x61, 0x6d, 0x65, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d], "application/json"), status: 400, code: "malformed_json" },
  { input: "an unknown field in a revoke body", target: "revoke", send: json({ because: "compromised" }), status: 422, code: "validation_failed", field: "body", message: /because/ },
  { input: "malformed JSON in a revoke body", target: "revoke", send: raw("{", "application/json"), status: 400, code: "malformed_json" },
];

const NAMES: HostileCase[] = [
  { input: "a missing name", target: "create", send: json({}), status: 422, code: "validation_failed", field: "name" },
  { input: "an empty name", target: "create", send: named(""), status: 422, code: "validation_failed", field: "name", message: /required/ },
  { input: "a name of spaces only", target: "create", send: named("    "), status: 422, code: "validation_failed", field: "name", message: /required/ },
  { input: "a name of 65 characters", target: "create", send: named("n".repeat(65)), status: 422, code: "validation_failed", field: "name", message: /64/ },
  { input: "a name of 65 emoji", target: "create", send: named("🔑".repeat(65)), status: 422, code: "validation_failed", field: "name", message: /64/ },
  { input: "a name of 16,000 characters", target: "create", send: named("n".repeat(16_000)), status: 422, code: "validation_failed", field: "name", message: /64/ },
  { input: "a name with a BEL control character", target: "create", send: named("bell\u0007key"), status: 422, code: "validation_failed", field: "name", message: /control/ },
  { input: "a name with a NUL character", target: "create", send: named("nul\u0000key"), status: 422, code: "validation_failed", field: "name", message: /control/ },
  { input: "a name with an ESC sequence", target: "create", send: named("esc\u001b[31mred"), status: 422, code: "validation_failed", field: "name", message: /control/ },
  { input: "a name with a U+202E bidi override", target: "create", send: named("invoice\u202Efdp.exe"), status: 422, code: "validation_failed", field: "name", message: /bidi/ },
  { input: "a name with a U+2066 bidi isolate", target: "create", send: named("left\u2066right"), status: 422, code: "validation_failed", field: "name", message: /bidi/ },
  { input: "a name with a U+200B zero-width space", target: "create", send: named("zero\u200Bwidth"), status: 422, code: "validation_failed", field: "name", message: /zero-width/ },
  { input: "a name with a U+FEFF inside it", target: "create", send: named("byte\uFEFForder"), status: 422, code: "validation_failed", field: "name", message: /zero-width/ },
  { input: "a name with a U+2028 line separator inside it", target: "create", send: named("line\u2028separator"), status: 422, code: "validation_failed", field: "name" },
  { input: "a name with a lone surrogate", target: "create", send: named("lone\uD800surrogate"), status: 422, code: "validation_failed", field: "name" },
  { input: "a name that is only a zero-width space", target: "create", send: named("\u200B"), status: 422, code: "validation_failed", field: "name" },
  { input: "a name that is a number", target: "create", send: named(42), status: 422, code: "validation_failed", field: "name" },
  { input: "a name that is null", target: "create", send: named(null), status: 422, code: "validation_failed", field: "name" },
  { input: "a name that is an array", target: "create", send: named(["CRM"]), status: 422, code: "validation_failed", field: "name" },
  { input: "a name that is an object", target: "create", send: named({ toString: "CRM" }), status: 422, code: "validation_failed", field: "name" },
];

const EXPIRIES: HostileCase[] = [
  { input: "an expiresAt without a zone", target: "create", send: expiring(() => "2027-01-01T00:00:00"), status: 422, code: "validation_failed", field: "expiresAt", message: FORMAT },
  { input: "an expiresAt inside the window but without a zone", target: "create", send: expiring(() => `${soonDate()}T00:00:00`), status: 422, code: "validation_failed", field: "expiresAt", message: FORMAT },
  { input: "an expiresAt that is a date only", target: "create", send: expiring(() => soonDate()), status: 422, code: "validation_failed", field: "expiresAt", message: FORMAT },
  { input: "an expiresAt of February 30th", target: "create", send: expiring(() => "2025-02-30T00:00:00Z"), status: 422, code: "validation_failed", field: "expiresAt", message: FORMAT },
  { input: "an expiresAt in year +275760 (expanded form)", target: "create", send: expiring(() => "+275760-09-13T00:00:00Z"), status: 422, code: "validation_failed", field: "expiresAt", message: FORMAT },
  { input: "an expiresAt in year 275760", target: "create", send: expiring(() => "275760-09-13T00:00:00Z"), status: 422, code: "validation_failed", field: "expiresAt", message: FORMAT },
  { input: "an expiresAt of month 13", target: "create", send: expiring(() => `${soonDate().slice(0, 4)}-13-01T00:00:00Z`), status: 422, code: "validation_failed", field: "expiresAt", message: FORMAT },
  { input: "an expiresAt at hour 24", target: "create", send: expiring(() => `${soonDate()}T24:00:00Z`), status: 422, code: "validation_failed", field: "expiresAt", message: FORMAT },
  { input: "an expiresAt with a leap second", target: "create", send: expiring(() => `${soonDate()}T23:59:60Z`), status: 422, code: "validation_failed", field: "expiresAt", message: FORMAT },
  { input: "an expiresAt with a +24:00 offset", target: "create", send: expiring(() => `${soonDate()}T12:00:00+24:00`), status: 422, code: "validation_failed", field: "expiresAt", message: FORMAT },
  { input: "an expiresAt with a space instead of T", target: "create", send: expiring(() => `${soonDate()} 12:00:00Z`), status: 422, code: "validation_failed", field: "expiresAt", message: FORMAT },
  { input: "an empty expiresAt", target: "create", send: expiring(() => ""), status: 422, code: "validation_failed", field: "expiresAt", message: FORMAT },
  { input: "an expiresAt 30 seconds ahead", target: "create", send: expiring(() => isoIn(30_000)), status: 422, code: "validation_failed", field: "expiresAt", message: /one minute/ },
  { input: "an expiresAt an hour in the past", target: "create", send: expiring(() => isoIn(-3_600_000)), status: 422, code: "validation_failed", field: "expiresAt", message: /one minute/ },
  { input: "an expiresAt 366 days ahead", target: "create", send: expiring(() => isoIn(366 * DAY_MS)), status: 422, code: "validation_failed", field: "expiresAt", message: /365 days/ },
  { input: "an expiresAt that is a number", target: "create", send: json({ name: "Epoch", expiresAt: 1_900_000_000 }), status: 422, code: "validation_failed", field: "expiresAt" },
  { input: "an expiresAt that is an object", target: "create", send: json({ name: "Obj", expiresAt: { $gt: "" } }), status: 422, code: "validation_failed", field: "expiresAt" },
];

const SCOPES: HostileCase[] = [
  { input: "a scope the creator does not hold", target: "create", send: scoped(["billing:admin"]), status: 422, code: "validation_failed", field: "scopes", message: /billing:admin/ },
  { input: "the admin scope from a non-admin", target: "create", send: scoped(["api_keys:admin"]), status: 422, code: "validation_failed", field: "scopes", message: /api_keys:admin/ },
  { input: "a wildcard scope", target: "create", send: scoped(["*"]), status: 422, code: "validation_failed", field: "scopes" },
  { input: "a scope named __proto__", target: "create", send: scoped(["__proto__"]), status: 422, code: "validation_failed", field: "scopes" },
  { input: "a held scope listed twice", target: "create", send: scoped(["contacts:read", "contacts:read"]), status: 422, code: "validation_failed", field: "scopes", message: /repeat/ },
  { input: "an empty scopes array", target: "create", send: scoped([]), status: 422, code: "validation_failed", field: "scopes" },
  { input: "scopes as a string", target: "create", send: scoped("contacts:read"), status: 422, code: "validation_failed", field: "scopes" },
  { input: "scopes as null", target: "create", send: scoped(null), status: 422, code: "validation_failed", field: "scopes" },
  { input: "a scope that is a number", target: "create", send: scoped([42]), status: 422, code: "validation_failed", field: "scopes.0" },
  { input: "a scope with a space in it", target: "create", send: scoped(["contacts read"]), status: 422, code: "validation_failed", field: "scopes.0" },
];

const ROTATIONS: HostileCase[] = [
  { input: "a negative graceSeconds", target: "rotate", send: grace(-1), status: 422, code: "validation_failed", field: "graceSeconds" },
  { input: "a graceSeconds of 604801", target: "rotate", send: grace(604_801), status: 422, code: "validation_failed", field: "graceSeconds" },
  { input: "a fractional graceSeconds", target: "rotate", send: grace(1.5), status: 422, code: "validation_failed", field: "graceSeconds" },
  { input: "a graceSeconds sent as a string", target: "rotate", send: grace("60"), status: 422, code: "validation_failed", field: "graceSeconds" },
  { input: "a graceSeconds of null", target: "rotate", send: grace(null), status: 422, code: "validation_failed", field: "graceSeconds" },
  { input: "a graceSeconds of 1e400", target: "rotate", send: raw('{"graceSeconds":1e400}', "application/json"), status: 422, code: "validation_failed", field: "graceSeconds" },
  { input: "an unknown field in a rotate body", target: "rotate", send: json({ grace: 60 }), status: 422, code: "validation_failed", field: "body", message: /grace/ },
  { input: "a __proto__ member in a rotate body", target: "rotate", send: raw('{"__proto__":{"polluted":true}}', "application/json"), status: 422, code: "validation_failed", field: "body", message: /__proto__/ },
  { input: "a rotate body that is an array", target: "rotate", send: json([60]), status: 422, code: "validation_failed", field: "body" },
];

const QUERIES: HostileCase[] = [
  { input: "limit=0", target: "list", query: "limit=0", send: () => ({}), status: 422, code: "validation_failed", field: "limit" },
  { input: "limit=101", target: "list", query: "limit=101", send: () => ({}), status: 422, code: "validation_failed", field: "limit" },
  { input: "limit=abc", target: "list", query: "limit=abc", send: () => ({}), status: 422, code: "validation_failed", field: "limit" },
  { input: "limit=-1", target: "list", query: "limit=-1", send: () => ({}), status: 422, code: "validation_failed", field: "limit" },
  { input: "limit=1e2", target: "list", query: "limit=1e2", send: () => ({}), status: 422, code: "validation_failed", field: "limit" },
  { input: "status=bogus", target: "list", query: "status=bogus", send: () => ({}), status: 422, code: "validation_failed", field: "status" },
  { input: "cursor=garbage", target: "list", query: "cursor=garbage", send: () => ({}), status: 400, code: "invalid_cursor" },
  { input: "a cursor shaped like a real one", target: "list", query: "cursor=WzEsImEiXQ.AAAAAAAAAAAAAAAAAAAAAA", send: () => ({}), status: 400, code: "invalid_cursor" },
  { input: "a cursor of 600 characters", target: "list", query: `cursor=${"c".repeat(600)}`, send: () => ({}), status: 422, code: "validation_failed", field: "cursor" },
  { input: "a __proto__ query parameter", target: "list", query: "__proto__=x", send: () => ({}), status: 422, code: "validation_failed", field: "query", message: /__proto__/ },
  { input: "a constructor query parameter", target: "list", query: "constructor=x", send: () => ({}), status: 422, code: "validation_failed", field: "query", message: /constructor/ },
  { input: "an unknown query parameter", target: "list", query: "org_id=org_other", send: () => ({}), status: 422, code: "validation_failed", field: "query", message: /org_id/ },
  { input: "a key id that does not exist", target: "read", query: "ak_nope", send: () => ({}), status: 404, code: "not_found" },
  { input: "an SQL injection in the key id", target: "read", query: encodeURIComponent("' OR 1=1 --"), send: () => ({}), status: 404, code: "not_found" },
  { input: "DELETE on the key collection", target: "list", method: "DELETE", send: () => ({}), status: 405, code: "method_not_allowed" },
];

/** Asserts the RFC 9457 shape every refusal shares, then the row's status, code and field. */
async function expectProblem(res: Response, row: HostileCase): Promise<void> {
  expect(res.status).toBe(row.status);
  expect(res.headers.get("Content-Type")).toBe("application/problem+json");
  const body = (await res.json()) as ProblemBody;
  expect(body).toMatchObject({
    type: expect.any(String),
    title: expect.any(String),
    status: row.status,
    detail: expect.any(String),
    code: row.code,
    requestId: res.headers.get("X-Request-Id"),
  });
  if (row.status !== 422) {
    expect(body.errors).toBeUndefined();
    return;
  }
  expect(body.errors?.length).toBeGreaterThan(0);
  for (const error of body.errors ?? []) expect(error).toEqual({ field: expect.any(String), message: expect.any(String) });
  const messages = (body.errors ?? []).filter((e) => e.field === row.field).map((e) => e.message);
  expect(messages, `errors name ${row.field}: ${JSON.stringify(body.errors)}`).not.toEqual([]);
  if (row.message) expect(messages.join("\n")).toMatch(row.message);
}

async function expectRefusedWithoutWrites(row: HostileCase): Promise<void> {
  const owner = await user();
  expect((await call("GET", "/v1/keys", { token: owner.token })).status).toBe(200);
  const keyId = row.target === "rotate" || row.target === "revoke" ? (await createKey(owner)).key.id : null;
  const path = {
    create: "/v1/keys",
    list: `/v1/keys${row.query ? `?${row.query}` : ""}`,
    read: `/v1/keys/${row.query ?? ""}`,
    rotate: `/v1/keys/${keyId}/rotate`,
    revoke: `/v1/keys/${keyId}/revoke`,
  }[row.target];
  const method = row.method ?? (row.target === "list" || row.target === "read" ? "GET" : "POST");
  const before = await snapshotTables();

  const res = await call(method, path, { token: owner.token, ...row.send() });

  await expectProblem(res, row);
  expect(await snapshotTables()).toBe(before);
  expect(Object.prototype).not.toHaveProperty("polluted");
}

/** One test per row, titled by what is sent and what it must get. */
function refuses(title: string, rows: HostileCase[]): void {
  describe(title, () => {
    for (const row of rows) {
      it(`answers ${row.status} ${row.code} to ${row.input}, and writes nothing`, () => expectRefusedWithoutWrites(row));
    }
  });
}

describe("hostile input to the management API", () => {
  refuses("request bodies", BODIES);
  refuses("key names", NAMES);
  refuses("expiry", EXPIRIES);
  refuses("scopes", SCOPES);
  refuses("rotation", ROTATIONS);
  refuses("list queries and paths", QUERIES);
});

interface RoundTrip {
  label: string;
  sent: string;
  stored: string;
}

const ROUND_TRIPS: RoundTrip[] = [
  { label: "an SQL injection attempt", sent: "'; DROP TABLE api_keys; --", stored: "'; DROP TABLE api_keys; --" },
  { label: "an HTML injection attempt", sent: "<img src=x onerror=alert(1)>", stored: "<img src=x onerror=alert(1)>" },
  { label: "a quote-and-paren injection attempt", sent: 'Robert"); --', stored: 'Robert"); --' },
  { label: "an emoji and a space", sent: "🔑 key", stored: "🔑 key" },
  { label: "a decomposed é, stored composed (NFC)", sent: "Caf\u0065\u0301 integration", stored: "Caf\u00e9 integration" },
  { label: "a name padded with spaces, stored trimmed", sent: "   Padded CRM   ", stored: "Padded CRM" },
  { label: "a right-to-left name without bidi controls", sent: "مفتاح الربط", stored: "مفتاح الربط" },
  { label: "the word __proto__", sent: "__proto__", stored: "__proto__" },
  { label: "64 ASCII characters", sent: "k".repeat(64), stored: "k".repeat(64) },
  { label: "64 emoji (128 UTF-16 units)", sent: "🔑".repeat(64), stored: "🔑".repeat(64) },
];

async function createNamed(name: string): Promise<{ status: number; key: KeyJson; token: string }> {
  const owner = await user();
  const res = await call("POST", "/v1/keys", { token: owner.token, json: { name } });
  const body = (await res.json()) as { key: KeyJson };
  return { status: res.status, key: body.key, token: owner.token };
}

describe("names that look hostile but are valid", () => {
  for (const { label, sent, stored } of ROUND_TRIPS) {
    it(`stores ${label} and returns it unchanged as text`, async () => {
      const created = await createNamed(sent);
      expect(created.status).toBe(201);
      expect(created.key.name).toBe(stored);

      const read = await call("GET", `/v1/keys/${created.key.id}`, { token: created.token });
      expect(((await read.json()) as { key: KeyJson }).key.name).toBe(stored);
      const list = await call("GET", "/v1/keys", { token: created.token });
      expect(((await list.json()) as { keys: KeyJson[] }).keys.map((k) => k.name)).toEqual([stored]);
    });
  }

  it("counts the 64-character limit in code points, not UTF-16 units", async () => {
    const created = await createNamed("🔑".repeat(64));
    expect(created.status).toBe(201);
    expect([...created.key.name]).toHaveLength(64);
    expect(created.key.name).toHaveLength(128);
  });
});

describe("boundaries that must be accepted", () => {
  it("accepts an expiresAt exactly 61 seconds ahead", async () => {
    const owner = await user();
    const expiresAt = isoIn(61_000);
    const res = await call("POST", "/v1/keys", { token: owner.token, json: { name: unique("edge"), expiresAt } });
    expect(res.status).toBe(201);
    expect(((await res.json()) as { key: KeyJson }).key.expiresAt).toBe(expiresAt);
  });

  it("accepts an expiresAt a minute short of 365 days ahead", async () => {
    const owner = await user();
    const expiresAt = isoIn(365 * DAY_MS - 60_000);
    const res = await call("POST", "/v1/keys", { token: owner.token, json: { name: unique("year"), expiresAt } });
    expect(res.status).toBe(201);
    expect(((await res.json()) as { key: KeyJson }).key.expiresAt).toBe(expiresAt);
  });

  it("accepts an expiresAt with a numeric offset and returns it in UTC", async () => {
    const owner = await user();
    const date = soonDate();
    const res = await call("POST", "/v1/keys", {
      token: owner.token,
      json: { name: unique("offset"), expiresAt: `${date}T12:00:00+02:00` },
    });
    expect(res.status).toBe(201);
    expect(((await res.json()) as { key: KeyJson }).key.expiresAt).toBe(`${date}T10:00:00.000Z`);
  });

  it("accepts a body of exactly 16 KiB", async () => {
    const owner = await user();
    const body = paddedBody(MAX_BODY);
    expect(encoder.encode(body).byteLength).toBe(MAX_BODY);
    const res = await call("POST", "/v1/keys", { token: owner.token, body, headers: { "Content-Type": "application/json" } });
    expect(res.status).toBe(201);
  });

  it("accepts JSON declared as charset utf-8 in any case", async () => {
    const owner = await user();
    const name = unique("charset");
    const res = await call("POST", "/v1/keys", {
      token: owner.token,
      body: JSON.stringify({ name }),
      headers: { "Content-Type": "Application/JSON; Charset=UTF-8" },
    });
    expect(res.status).toBe(201);
  });

  it("accepts JSON declared with a quoted charset, which means the same as the bare one", async () => {
    const owner = await user();
    const res = await call("POST", "/v1/keys", {
      token: owner.token,
      body: JSON.stringify({ name: unique("quoted charset") }),
      headers: { "Content-Type": 'application/json; charset="utf-8"' },
    });
    expect(res.status).toBe(201);
  });

  it("accepts a scope list that is a subset of the creator's permissions", async () => {
    const owner = await user({ permissions: ["contacts:read", "contacts:write"] });
    const res = await call("POST", "/v1/keys", { token: owner.token, json: { name: unique("narrow"), scopes: ["contacts:read"] } });
    expect(res.status).toBe(201);
    expect(((await res.json()) as { key: KeyJson }).key.scopes).toEqual(["contacts:read"]);
  });

  it("accepts a rotate with the largest graceSeconds, 604800", async () => {
    const owner = await user();
    const { key } = await createKey(owner);
    const res = await call("POST", `/v1/keys/${key.id}/rotate`, { token: owner.token, json: { graceSeconds: 604_800 } });
    expect(res.status).toBe(201);
  });

  it.each(["1", "100"])("accepts limit=%s on the list", async (limit) => {
    const owner = await user();
    expect((await call("GET", `/v1/keys?limit=${limit}`, { token: owner.token })).status).toBe(200);
  });
});
