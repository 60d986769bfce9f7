import { toHex } from "../../../worker/crypto/ecdsa";
import { hmacSha256Bytes } from "../../../worker/crypto/hmac";
import { signedBytes } from "../../../worker/leaks/report-signature";
import { call, type CallOptions, unique } from "../helpers/api";

/** The shared secret of our own reporters in these tests (set per call through the env override). */
export const HMAC_SECRET = "test-leak-report-secret-0123456789abcdef";

/** A GitHub-like signer: a fresh ECDSA P-256 key pair, its identifier, and its public key as GitHub publishes it. */
export interface GithubSigner {
  keyIdentifier: string;
  pem: string;
  /** Base64 of the ASN.1 DER signature over the exact body, as in Github-Public-Key-Signature. */
  sign(body: string): Promise<string>;
}

/**
 * Makes a signing key like GitHub's secret-scanning key.
 *
 * @example
 * const github = await githubSigner();
 */
export async function githubSigner(): Promise<GithubSigner> {
  const pair = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"])) as CryptoKeyPair;
  const spki = new Uint8Array((await crypto.subtle.exportKey("spki", pair.publicKey)) as ArrayBuffer);
  const pem = `-----BEGIN PUBLIC KEY-----\n${btoa(String.fromCharCode(...spki)).replace(/(.{64})/g, "$1\n")}\n-----END PUBLIC KEY-----\n`;
  return {
    keyIdentifier: toHex(crypto.getRandomValues(new Uint8Array(32))),
    pem,
    async sign(body) {
      const raw = new Uint8Array(await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, pair.privateKey, new TextEncoder().encode(body)));
      return btoa(String.fromCharCode(...rawToDer(raw)));
    },
  };
}

/** Web Crypto's `r || s` → ASN.1 DER `SEQUENCE { INTEGER r, INTEGER s }`, as GitHub sends it. */
export function rawToDer(raw: Uint8Array): Uint8Array {
  const integer = (bytes: Uint8Array) => {
    let i = 0;
    while (i < bytes.length - 1 && bytes[i] === 0) i++;
    const trimmed = bytes.subarray(i);
    const value = trimmed[0]! & 0x80 ? Uint8Array.of(0, ...trimmed) : trimmed;
    return [0x02, value.length, ...value];
  };
  const body = [...integer(raw.subarray(0, 32)), ...integer(raw.subarray(32))];
  return Uint8Array.of(0x30, body.length, ...body);
}

/** The env override that configures GitHub mode with the given signers' keys (and optionally a policy). */
export function githubEnv(signers: GithubSigner[], extra: CallOptions["env"] = {}): CallOptions["env"] {
  return { LEAK_REPORT_PUBLIC_KEYS: JSON.stringify(signers.map((s) => ({ key_identifier: s.keyIdentifier, key: s.pem, is_current: true }))), ...extra };
}

/** A report body in GitHub's format naming the given tokens. */
export function reportBody(tokens: string[], url = `https://github.com/octo/${unique("repo")}/blob/abc/.env`): string {
  return JSON.stringify(tokens.map((token) => ({ token, type: "api_keys_edge_key", url, source: "content" })));
}

/**
 * Posts a report signed by `signer` (GitHub mode), with GitHub mode configured for `configured`
 * (the signer itself unless told otherwise).
 *
 * @example
 * const res = await githubReport(github, reportBody([secret]));
 */
export async function githubReport(
  signer: GithubSigner,
  body: string,
  options: { configured?: GithubSigner[]; env?: CallOptions["env"]; keyIdentifier?: string; signature?: string } = {},
): Promise<Response> {
  return call("POST", "/v1/leaks", {
    body,
    headers: {
      "Content-Type": "application/json",
      "Github-Public-Key-Identifier": options.keyIdentifier ?? signer.keyIdentifier,
      "Github-Public-Key-Signature": options.signature ?? (await signer.sign(body)),
    },
    env: githubEnv(options.configured ?? [signer], options.env),
  });
}

/** `X-Leak-Report-Signature` for a body at a timestamp (Unix seconds) under a secret. */
export async function hmacSignature(body: string, timestamp: string, secret = HMAC_SECRET): Promise<string> {
  return `sha256=${toHex(await hmacSha256Bytes(secret, signedBytes(timestamp, new TextEncoder().encode(body))))}`;
}

/** Posts a report signed with the shared secret (HMAC mode, configured with {@link HMAC_SECRET}). */
export async function hmacReport(body: string, options: { timestamp?: number; secret?: string; env?: CallOptions["env"] } = {}): Promise<Response> {
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  return call("POST", "/v1/leaks", {
    body,
    headers: {
      "Content-Type": "application/json",
      "X-Leak-Report-Timestamp": timestamp,
      "X-Leak-Report-Signature": await hmacSignature(body, timestamp, options.secret),
    },
    env: { LEAK_REPORT_HMAC_SECRET: HMAC_SECRET, ...options.env },
  });
}
