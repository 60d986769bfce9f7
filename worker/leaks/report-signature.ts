import type { LeakConfig } from "../config";
import { verifyEcdsaP256Der, toHex } from "../crypto/ecdsa";
import { digestsEqual, hmacSha256Bytes } from "../crypto/hmac";
import { githubPublicKey } from "./github-keys";

/** How far an HMAC-signed report's timestamp may be from now, either way: older reports are replays. */
export const HMAC_TOLERANCE_SECONDS = 300;

/** The signature headers of a leak report, as sent (null when absent). */
export interface ReportSignature {
  /** `Github-Public-Key-Identifier`. */
  githubKeyIdentifier: string | null;
  /** `Github-Public-Key-Signature`: base64 of an ASN.1 DER ECDSA P-256 signature over the raw body. */
  githubSignature: string | null;
  /** `X-Leak-Report-Timestamp`: Unix seconds, inside the MAC. */
  hmacTimestamp: string | null;
  /** `X-Leak-Report-Signature`: `sha256=` and the hex HMAC-SHA-256 of `timestamp + "." + body`. */
  hmacSignature: string | null;
}

/** Who signed a report, as its audit actor names it. */
export type Reporter = "github" | "hmac";

/**
 * Whether a report is signed, and by whom. `unsigned` and `bad_signature` are refused alike
 * (the caller learns nothing about which check failed); `keys_unavailable`: GitHub's key set
 * could not be fetched, so the report can't be checked now (GitHub retries).
 */
export type ReportAuthentication = { ok: true; reporter: Reporter } | { ok: false; reason: "unsigned" | "bad_signature" | "keys_unavailable" };

/**
 * Checks a leak report's signature over its exact bytes. GitHub mode when either GitHub header is
 * present (ECDSA P-256 / SHA-256 against the key the identifier names), else HMAC mode when
 * `X-Leak-Report-Signature` is (constant-time compare; the timestamp within ±5 minutes of `now`).
 * A mode that is not configured refuses.
 *
 * @example
 * const auth = await authenticateReport(config.leaks, signature, body, Date.now());
 * if (!auth.ok) refuse();
 */
export async function authenticateReport(
  config: LeakConfig,
  signature: ReportSignature,
  body: Uint8Array,
  now: number,
  fetcher?: typeof fetch,
): Promise<ReportAuthentication> {
  if (signature.githubKeyIdentifier !== null || signature.githubSignature !== null) {
    return verifyGithub(config, signature, body, now, fetcher);
  }
  if (signature.hmacSignature !== null) return verifyHmac(config, signature, body, now);
  return { ok: false, reason: "unsigned" };
}

async function verifyGithub(
  config: LeakConfig,
  { githubKeyIdentifier, githubSignature }: ReportSignature,
  body: Uint8Array,
  now: number,
  fetcher?: typeof fetch,
): Promise<ReportAuthentication> {
  const der = githubSignature === null ? null : fromBase64(githubSignature);
  if (!githubKeyIdentifier || githubKeyIdentifier.length > 256 || !der) return { ok: false, reason: "bad_signature" };
  const key = await githubPublicKey(config, githubKeyIdentifier, { now, fetcher });
  if (!key.ok) return { ok: false, reason: key.reason === "unavailable" ? "keys_unavailable" : "bad_signature" };
  return (await verifyEcdsaP256Der(key.pem, der, body)) ? { ok: true, reporter: "github" } : { ok: false, reason: "bad_signature" };
}

const TIMESTAMP = /^\d{1,12}$/;
const HMAC_SIGNATURE = /^sha256=[0-9a-f]{64}$/;

async function verifyHmac(config: LeakConfig, { hmacTimestamp, hmacSignature }: ReportSignature, body: Uint8Array, now: number): Promise<ReportAuthentication> {
  const secret = config.hmacSecret;
  if (!secret || !hmacTimestamp || !TIMESTAMP.test(hmacTimestamp) || !hmacSignature || !HMAC_SIGNATURE.test(hmacSignature)) {
    return { ok: false, reason: "bad_signature" };
  }
  if (Math.abs(now / 1000 - Number(hmacTimestamp)) > HMAC_TOLERANCE_SECONDS) return { ok: false, reason: "bad_signature" };
  const expected = `sha256=${toHex(await hmacSha256Bytes(secret, signedBytes(hmacTimestamp, body)))}`;
  return digestsEqual(expected, hmacSignature) ? { ok: true, reporter: "hmac" } : { ok: false, reason: "bad_signature" };
}

/**
 * What an HMAC reporter signs: the timestamp, a dot, then the body's exact bytes.
 *
 * @example
 * hex(hmacSha256(secret, signedBytes("1765000000", body)));
 */
export function signedBytes(timestamp: string, body: Uint8Array): Uint8Array {
  const head = new TextEncoder().encode(`${timestamp}.`);
  const bytes = new Uint8Array(head.length + body.length);
  bytes.set(head);
  bytes.set(body, head.length);
  return bytes;
}

function fromBase64(text: string): Uint8Array | null {
  if (text.length > 256 || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return null;
  try {
    return Uint8Array.from(atob(text), (ch) => ch.charCodeAt(0));
  } catch {
    return null;
  }
}
