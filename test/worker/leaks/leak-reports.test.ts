import { describe, expect, it } from "vitest";
import { sha256Hex } from "../../../worker/crypto/ecdsa";
import { call, createKey, type KeyJson, snapshotTables, type TestUser, unique, user, useKey } from "../helpers/api";
import { keyFor, unregisteredKey } from "../helpers/keys";
import { githubEnv, githubReport, githubSigner, HMAC_SECRET, hmacReport, reportBody } from "./leak-helpers";

/** The 200 answer of a report, after checking it is JSON and never cached. */
async function verdicts(res: Response): Promise<Array<{ token_hash: string; token_type: string; label: string }>> {
  expect(res.status, await res.clone().text()).toBe(200);
  expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
  expect(res.headers.get("Cache-Control")).toBe("no-store");
  return res.json();
}

/** A refused report's problem, without its request id, after checking status and media type. */
async function problem(res: Response, status: number): Promise<Record<string, unknown>> {
  expect(res.status).toBe(status);
  expect(res.headers.get("Content-Type")).toBe("application/problem+json");
  const { requestId: _, ...body } = (await res.json()) as Record<string, unknown>;
  return body;
}

async function keyOf(owner: TestUser, id: string): Promise<KeyJson> {
  const res = await call("GET", `/v1/keys/${id}`, { token: owner.token });
  expect(res.status).toBe(200);
  return ((await res.json()) as { key: KeyJson }).key;
}

async function eventsOf(owner: TestUser, keyId: string): Promise<Array<{ action: string; actor: { type: string; id: string } }>> {
  const res = await call("GET", `/v1/audit-events?keyId=${keyId}`, { token: owner.token });
  expect(res.status).toBe(200);
  return ((await res.json()) as { events: Array<{ action: string; actor: { type: string; id: string } }> }).events;
}

describe("POST /v1/leaks: GitHub-signed reports", () => {
  it("revokes a reported key and answers true_positive with the token's SHA-256 and type", async () => {
    const github = await githubSigner();
    const owner = await user();
    const { key, secret } = await createKey(owner);
    expect((await useKey(secret)).status).toBe(200);
    const url = `https://github.com/octo/${unique("repo")}/blob/abc/.env`;
    expect(await verdicts(await githubReport(github, reportBody([secret], url)))).toEqual([
      { token_hash: await sha256Hex(secret), token_type: "api_keys_edge_key", label: "true_positive" },
    ]);
    const leaked = await keyOf(owner, key.id);
    expect(leaked.status).toBe("revoked");
    expect(leaked.leak).toEqual({ at: leaked.revokedAt, url });
  });

  it("refuses the very next request with the leaked key, exactly as after a manual revoke", async () => {
    const github = await githubSigner();
    const { secret } = await createKey(await user());
    expect((await useKey(secret)).status).toBe(200);
    await verdicts(await githubReport(github, reportBody([secret])));
    const next = await useKey(secret);
    expect(next.status).toBe(401);
    expect(((await next.json()) as { code: string }).code).toBe("api_key_revoked");
  });

  it("revokes a key that was never used (its chain not yet placed) before the answer leaves", async () => {
    const github = await githubSigner();
    const { secret } = await createKey(await user());
    await verdicts(await githubReport(github, reportBody([secret])));
    expect((await useKey(secret)).status).toBe(401);
  });

  it("audits key.revoked and key.leaked once, with the report as the actor", async () => {
    const github = await githubSigner();
    const owner = await user();
    const { key, secret } = await createKey(owner);
    await verdicts(await githubReport(github, reportBody([secret])));
    const events = await eventsOf(owner, key.id);
    expect(events.map((e) => e.action).sort()).toEqual(["key.created", "key.leaked", "key.revoked"]);
    for (const e of events.filter((e) => e.action !== "key.created")) expect(e.actor).toEqual({ type: "leak_report", id: "github" });
  });

  it("labels foreign, unknown, forged and wrong-secret tokens false_positive, in the order reported", async () => {
    const github = await githubSigner();
    const owner = await user();
    const real = await createKey(owner);
    const other = await createKey(owner);
    const tokens = [
      "ghp_notoursatall0123456789",
      (await unregisteredKey()).secret,
      await keyFor({ tag: "forged" }),
      await keyFor({ id: other.key.id }),
      real.secret,
    ];
    const answer = await verdicts(await githubReport(github, reportBody(tokens)));
    expect(answer.map((v) => v.label)).toEqual(["false_positive", "false_positive", "false_positive", "false_positive", "true_positive"]);
    expect(answer.map((v) => v.token_hash)).toEqual(await Promise.all(tokens.map(sha256Hex)));
    expect(Object.keys(answer[0]!).sort()).toEqual(["label", "token_hash", "token_type"]);
    expect((await keyOf(owner, other.key.id)).status).toBe("active");
    expect((await keyOf(owner, other.key.id)).leak).toBeNull();
    expect((await useKey(other.secret)).status).toBe(200);
  });

  it("changes nothing when the same report arrives again: same answer, same revocation time, no new event", async () => {
    const github = await githubSigner();
    const owner = await user();
    const { key, secret } = await createKey(owner);
    const body = reportBody([secret]);
    const signature = await github.sign(body);
    const first = await verdicts(await githubReport(github, body, { signature }));
    const afterFirst = await keyOf(owner, key.id);
    const events = await eventsOf(owner, key.id);
    const tables = await snapshotTables();
    expect(await verdicts(await githubReport(github, body, { signature }))).toEqual(first);
    expect(await keyOf(owner, key.id)).toEqual(afterFirst);
    expect(await eventsOf(owner, key.id)).toEqual(events);
    expect(await snapshotTables()).toEqual(tables);
  });

  it("revokes once and audits once when the same report is delivered 8 times at once (a retry racing the first)", async () => {
    const github = await githubSigner();
    const owner = await user();
    const { key, secret } = await createKey(owner);
    const body = reportBody([secret]);
    const signature = await github.sign(body);
    const answers = await Promise.all(Array.from({ length: 8 }, () => githubReport(github, body, { signature }).then(verdicts)));
    for (const answer of answers) expect(answer.map((v) => v.label)).toEqual(["true_positive"]);
    const actions = (await eventsOf(owner, key.id)).map((e) => e.action).sort();
    expect(actions).toEqual(["key.created", "key.leaked", "key.revoked"]);
    const stored = await keyOf(owner, key.id);
    expect(stored.status).toBe("revoked");
    expect((await useKey(secret)).status).toBe(401);
  });

  it("records the first report's URL; a later report naming the key elsewhere keeps it", async () => {
    const github = await githubSigner();
    const owner = await user();
    const { key, secret } = await createKey(owner);
    await verdicts(await githubReport(github, reportBody([secret], "https://github.com/a/b/blob/1/x")));
    expect(await verdicts(await githubReport(github, reportBody([secret], "https://github.com/c/d/blob/2/y")))).toEqual([
      expect.objectContaining({ label: "true_positive" }),
    ]);
    expect((await keyOf(owner, key.id)).leak?.url).toBe("https://github.com/a/b/blob/1/x");
    expect((await eventsOf(owner, key.id)).filter((e) => e.action === "key.leaked")).toHaveLength(1);
  });

  it("records the leak of a key revoked by hand before, without a second revocation", async () => {
    const github = await githubSigner();
    const owner = await user();
    const { key, secret } = await createKey(owner);
    const revoked = (await (await call("POST", `/v1/keys/${key.id}/revoke`, { token: owner.token })).json()) as { key: KeyJson };
    await verdicts(await githubReport(github, reportBody([secret])));
    const after = await keyOf(owner, key.id);
    expect(after.revokedAt).toBe(revoked.key.revokedAt);
    expect(after.leak).not.toBeNull();
    expect((await eventsOf(owner, key.id)).map((e) => e.action).sort()).toEqual(["key.created", "key.leaked", "key.revoked"]);
  });
});

describe("POST /v1/leaks: LEAK_POLICY flag", () => {
  it("keeps a flagged key working and shows the leak on it, with key.leaked and no key.revoked", async () => {
    const github = await githubSigner();
    const owner = await user();
    const { key, secret } = await createKey(owner);
    const url = "https://github.com/octo/flagged/blob/1/.env";
    const answer = await verdicts(await githubReport(github, reportBody([secret], url), { env: { LEAK_POLICY: "flag" } }));
    expect(answer[0]!.label).toBe("true_positive");
    expect((await useKey(secret)).status).toBe(200);
    const flagged = await keyOf(owner, key.id);
    expect(flagged.status).toBe("active");
    expect(flagged.revokedAt).toBeNull();
    expect(flagged.leak).toEqual({ at: expect.stringMatching(/Z$/), url });
    expect((await eventsOf(owner, key.id)).map((e) => e.action).sort()).toEqual(["key.created", "key.leaked"]);
  });

  it("shows the leak in the key list too", async () => {
    const github = await githubSigner();
    const owner = await user();
    const { key, secret } = await createKey(owner);
    await verdicts(await githubReport(github, reportBody([secret]), { env: { LEAK_POLICY: "flag" } }));
    const list = (await (await call("GET", "/v1/keys", { token: owner.token })).json()) as { keys: KeyJson[] };
    expect(list.keys.find((k) => k.id === key.id)?.leak).not.toBeNull();
  });
});

describe("POST /v1/leaks: refused reports", () => {
  /** Sends the report and checks it was refused with 401 and that nothing changed. */
  async function refused(send: () => Promise<Response>): Promise<Record<string, unknown>> {
    const before = await snapshotTables();
    const res = await send();
    const body = await problem(res, 401);
    expect(body.code).toBe("unauthenticated");
    expect(await snapshotTables()).toEqual(before);
    return body;
  }

  it("refuses an unsigned report with 401, and the key keeps working", async () => {
    const github = await githubSigner();
    const { secret } = await createKey(await user());
    const body = reportBody([secret]);
    await refused(() => call("POST", "/v1/leaks", { body, headers: { "Content-Type": "application/json" }, env: githubEnv([github]) }));
    expect((await useKey(secret)).status).toBe(200);
  });

  it("refuses a signature over another body with the same answer as an unsigned report", async () => {
    const github = await githubSigner();
    const { secret } = await createKey(await user());
    const unsigned = await refused(() =>
      call("POST", "/v1/leaks", { body: reportBody([secret]), headers: { "Content-Type": "application/json" }, env: githubEnv([github]) }),
    );
    const tampered = await refused(async () => githubReport(github, reportBody([secret]), { signature: await github.sign(reportBody(["something else"])) }));
    expect(tampered).toEqual(unsigned);
    expect((await useKey(secret)).status).toBe(200);
  });

  it("refuses a key identifier that is not configured", async () => {
    const github = await githubSigner();
    const { secret } = await createKey(await user());
    await refused(() => githubReport(github, reportBody([secret]), { keyIdentifier: "0".repeat(64) }));
  });

  it("refuses a report signed by another key under a configured identifier", async () => {
    const github = await githubSigner();
    const impostor = await githubSigner();
    const { secret } = await createKey(await user());
    const body = reportBody([secret]);
    await refused(async () => githubReport(github, body, { signature: await impostor.sign(body) }));
  });

  it("refuses a signature that is not base64 DER", async () => {
    const github = await githubSigner();
    const { secret } = await createKey(await user());
    await refused(() => githubReport(github, reportBody([secret]), { signature: "not a signature!" }));
    await refused(() => githubReport(github, reportBody([secret]), { signature: btoa("0123456789") }));
  });

  it("does not exist without any way to check a signature: 404 like an unknown route", async () => {
    const res = await call("POST", "/v1/leaks", { body: reportBody(["x"]), headers: { "Content-Type": "application/json" } });
    expect((await problem(res, 404)).code).toBe("not_found");
  });

  it("refuses a signed body that is not a report: not an array, empty, or over 1000 tokens (422), nothing changed", async () => {
    const github = await githubSigner();
    const before = await snapshotTables();
    for (const body of ['{"token":"x"}', "[]", JSON.stringify(Array.from({ length: 1001 }, () => ({ token: "x", type: "t", url: "u" })))]) {
      expect((await problem(await githubReport(github, body), 422)).code).toBe("validation_failed");
    }
    expect((await problem(await githubReport(github, "[{"), 400)).code).toBe("malformed_json");
    expect(await snapshotTables()).toEqual(before);
  });

  it("refuses a body over 1 MiB with 413 and a signed report that is not JSON by type with 415", async () => {
    const github = await githubSigner();
    const huge = JSON.stringify([{ token: "x", type: "t", url: "u".repeat(1024 * 1024) }]);
    expect((await problem(await githubReport(github, huge), 413)).code).toBe("payload_too_large");
    const body = reportBody(["x"]);
    const res = await call("POST", "/v1/leaks", {
      body,
      headers: { "Content-Type": "text/plain", "Github-Public-Key-Identifier": github.keyIdentifier, "Github-Public-Key-Signature": await github.sign(body) },
      env: githubEnv([github]),
    });
    expect((await problem(res, 415)).code).toBe("unsupported_media_type");
  });
});

describe("POST /v1/leaks: our own reporters (HMAC)", () => {
  it("acts on a report signed with LEAK_REPORT_HMAC_SECRET and audits it as the hmac reporter", async () => {
    const owner = await user();
    const { key, secret } = await createKey(owner);
    expect((await verdicts(await hmacReport(reportBody([secret]))))[0]!.label).toBe("true_positive");
    expect((await useKey(secret)).status).toBe(401);
    const leaked = (await eventsOf(owner, key.id)).find((e) => e.action === "key.leaked");
    expect(leaked?.actor).toEqual({ type: "leak_report", id: "hmac" });
  });

  it("refuses a MAC under another secret", async () => {
    const { secret } = await createKey(await user());
    const before = await snapshotTables();
    const res = await hmacReport(reportBody([secret]), { secret: `${HMAC_SECRET}-other` });
    expect((await problem(res, 401)).code).toBe("unauthenticated");
    expect(await snapshotTables()).toEqual(before);
    expect((await useKey(secret)).status).toBe(200);
  });

  it("refuses a correctly signed report whose timestamp is more than 5 minutes old or ahead (a replay)", async () => {
    const { secret } = await createKey(await user());
    const now = Math.floor(Date.now() / 1000);
    for (const timestamp of [now - 301, now + 301]) {
      expect((await problem(await hmacReport(reportBody([secret]), { timestamp }), 401)).code).toBe("unauthenticated");
    }
    expect((await useKey(secret)).status).toBe(200);
  });

  it("accepts a timestamp a few minutes old", async () => {
    const { secret } = await createKey(await user());
    const timestamp = Math.floor(Date.now() / 1000) - 240;
    expect((await verdicts(await hmacReport(reportBody([secret]), { timestamp })))[0]!.label).toBe("true_positive");
  });

  it("refuses GitHub headers when only HMAC mode is configured", async () => {
    const github = await githubSigner();
    const body = reportBody(["x"]);
    const res = await call("POST", "/v1/leaks", {
      body,
      headers: { "Content-Type": "application/json", "Github-Public-Key-Identifier": github.keyIdentifier, "Github-Public-Key-Signature": await github.sign(body) },
      env: { LEAK_REPORT_HMAC_SECRET: HMAC_SECRET },
    });
    expect((await problem(res, 401)).code).toBe("unauthenticated");
  });
});
