import { describe, expect, it } from "vitest";
import { derToRawSignature, verifyEcdsaP256Der } from "../../../worker/crypto/ecdsa";
import { githubPublicKey } from "../../../worker/leaks/github-keys";
import { authenticateReport } from "../../../worker/leaks/report-signature";
import { unique } from "../helpers/api";
import { githubSigner, rawToDer } from "./leak-helpers";

/** A stand-in for GitHub's keys endpoint: answers with `respond` and counts the downloads. */
function keysEndpoint(respond: () => Response | Promise<Response>) {
  const counter = { downloads: 0, fetcher: (async () => {
    counter.downloads += 1;
    return respond();
  }) as typeof fetch };
  return counter;
}

const noKeys = { publicKeys: [], keysUrl: null, hmacSecret: null, policy: "revoke" as const };

describe("ECDSA P-256 signatures in DER", () => {
  it("converts DER to r || s, padding short integers and dropping the sign byte", () => {
    const raw = new Uint8Array(64);
    raw[0] = 0x80; // r needs a leading zero in DER
    raw[32] = 0;
    raw[33] = 0x01; // s is one byte shorter
    raw.fill(7, 34);
    expect(derToRawSignature(rawToDer(raw))).toEqual(raw);
  });

  it("refuses what is not one SEQUENCE of two INTEGERs", () => {
    expect(derToRawSignature(new Uint8Array(0))).toBeNull();
    expect(derToRawSignature(Uint8Array.of(0x30, 6, 0x02, 1, 1, 0x02, 1, 1, 0))).toBeNull();
    expect(derToRawSignature(Uint8Array.of(0x30, 6, 0x04, 1, 1, 0x02, 1, 1))).toBeNull();
  });

  it("verifies a signature made by Web Crypto and sent as DER, and nothing else", async () => {
    const signer = await githubSigner();
    const body = new TextEncoder().encode('[{"token":"t"}]');
    const der = Uint8Array.from(atob(await signer.sign('[{"token":"t"}]')), (c) => c.charCodeAt(0));
    expect(await verifyEcdsaP256Der(signer.pem, der, body)).toBe(true);
    expect(await verifyEcdsaP256Der(signer.pem, der, new TextEncoder().encode('[{"token":"u"}]'))).toBe(false);
    expect(await verifyEcdsaP256Der("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----", der, body)).toBe(false);
  });
});

describe("GitHub's keys from LEAK_REPORT_KEYS_URL", () => {
  it("downloads the key set once and shares it between reports", async () => {
    const signer = await githubSigner();
    const endpoint = keysEndpoint(() => Response.json({ public_keys: [{ key_identifier: signer.keyIdentifier, key: signer.pem, is_current: true }] }));
    const config = { publicKeys: [], keysUrl: `https://keys.example/${unique("set")}` };
    const lookups = await Promise.all([1, 2, 3].map(() => githubPublicKey(config, signer.keyIdentifier, { fetcher: endpoint.fetcher })));
    expect(lookups).toEqual([1, 2, 3].map(() => ({ ok: true, pem: signer.pem })));
    expect(endpoint.downloads).toBe(1);
  });

  it("fetches again after an hour", async () => {
    const signer = await githubSigner();
    const endpoint = keysEndpoint(() => Response.json([{ key_identifier: signer.keyIdentifier, key: signer.pem }]));
    const config = { publicKeys: [], keysUrl: `https://keys.example/${unique("set")}` };
    const now = Date.now();
    await githubPublicKey(config, signer.keyIdentifier, { now, fetcher: endpoint.fetcher });
    await githubPublicKey(config, signer.keyIdentifier, { now: now + 59 * 60_000, fetcher: endpoint.fetcher });
    expect(endpoint.downloads).toBe(1);
    await githubPublicKey(config, signer.keyIdentifier, { now: now + 61 * 60_000, fetcher: endpoint.fetcher });
    expect(endpoint.downloads).toBe(2);
  });

  it("remembers a failed download for 30 s: the reports meanwhile are unavailable, not downloads", async () => {
    const endpoint = keysEndpoint(() => new Response("down", { status: 502 }));
    const config = { publicKeys: [], keysUrl: `https://keys.example/${unique("set")}` };
    const now = Date.now();
    expect(await githubPublicKey(config, "k", { now, fetcher: endpoint.fetcher })).toEqual({ ok: false, reason: "unavailable" });
    expect(await githubPublicKey(config, "k", { now: now + 29_000, fetcher: endpoint.fetcher })).toEqual({ ok: false, reason: "unavailable" });
    expect(endpoint.downloads).toBe(1);
    await githubPublicKey(config, "k", { now: now + 31_000, fetcher: endpoint.fetcher });
    expect(endpoint.downloads).toBe(2);
  });

  it("answers unknown for an identifier the set does not hold, refetching for it at most every 5 minutes", async () => {
    const signer = await githubSigner();
    const endpoint = keysEndpoint(() => Response.json([{ key_identifier: signer.keyIdentifier, key: signer.pem }]));
    const config = { publicKeys: [], keysUrl: `https://keys.example/${unique("set")}` };
    const now = Date.now();
    expect(await githubPublicKey(config, "rotated-in", { now, fetcher: endpoint.fetcher })).toEqual({ ok: false, reason: "unknown" });
    expect(await githubPublicKey(config, "rotated-in", { now: now + 60_000, fetcher: endpoint.fetcher })).toEqual({ ok: false, reason: "unknown" });
    expect(endpoint.downloads).toBe(1);
    await githubPublicKey(config, "rotated-in", { now: now + 6 * 60_000, fetcher: endpoint.fetcher });
    expect(endpoint.downloads).toBe(2);
  });

  it("checks a report against a downloaded key, and says keys_unavailable when the set can't be fetched", async () => {
    const signer = await githubSigner();
    const body = '[{"token":"t","type":"x","url":"u"}]';
    const signature = { githubKeyIdentifier: signer.keyIdentifier, githubSignature: await signer.sign(body), hmacTimestamp: null, hmacSignature: null };
    const bytes = new TextEncoder().encode(body);
    const up = keysEndpoint(() => Response.json([{ key_identifier: signer.keyIdentifier, key: signer.pem }]));
    const config = { ...noKeys, keysUrl: `https://keys.example/${unique("set")}` };
    expect(await authenticateReport(config, signature, bytes, Date.now(), up.fetcher)).toEqual({ ok: true, reporter: "github" });
    const down = keysEndpoint(() => Promise.reject(new TypeError("network down")));
    const elsewhere = { ...noKeys, keysUrl: `https://keys.example/${unique("set")}` };
    expect(await authenticateReport(elsewhere, signature, bytes, Date.now(), down.fetcher)).toEqual({ ok: false, reason: "keys_unavailable" });
  });

  it("refuses a GitHub-signed report when GitHub mode is not configured at all", async () => {
    const signer = await githubSigner();
    const body = "[]";
    const signature = { githubKeyIdentifier: signer.keyIdentifier, githubSignature: await signer.sign(body), hmacTimestamp: null, hmacSignature: null };
    expect(await authenticateReport(noKeys, signature, new TextEncoder().encode(body), Date.now())).toEqual({ ok: false, reason: "bad_signature" });
  });
});
