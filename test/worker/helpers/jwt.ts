import { toBase64Url } from "../../../worker/crypto/hmac";

/** The `AUTH_JWT_SECRET` binding of the test configuration (test/vitest.config.ts). */
export const TEST_JWT_SECRET = "test-jwt-secret-0123456789abcdef0123456789";

/** The asymmetric algorithms a test key set can hold. */
export type TestJwksAlgorithm = "RS256" | "ES256";

/** A public JSON Web Key Set as an identity provider would publish it. */
export interface TestJwks {
  keys: Array<JsonWebKey & { kid: string; alg: TestJwksAlgorithm; use: "sig" }>;
}

/** How to build a token; everything a verifier should refuse can be expressed here. */
export interface MintOptions {
  /** The payload; anything JSON can hold, so non-object payloads can be tested too. */
  claims: unknown;
  /** Merged over `{ alg, typ: "JWT" }`; set `alg` here to lie about how the token was signed. */
  header?: Record<string, unknown>;
  /** The `alg` written to the header; defaults to the private key's algorithm, else HS256. */
  alg?: string;
  /** HMAC-SHA-256 key as text or raw bytes; TEST_JWT_SECRET when alg is HS256 and no key is given. */
  hsSecret?: string | Uint8Array;
  /** An RSASSA-PKCS1-v1_5 or ECDSA P-256 private key; wins over `hsSecret`. */
  privateKey?: CryptoKey;
  /** Replaces the signature segment verbatim, e.g. "" or a tampered value. */
  signature?: string;
  /** The payload's JSON text verbatim, for what JSON.stringify cannot write (`{"exp":1e400}`); wins over `claims`. */
  claimsJson?: string;
}

const encoder = new TextEncoder();

/**
 * Mints any compact JWT, valid or not. Signs with `privateKey` when given, otherwise with HMAC
 * over `hsSecret`; a header `alg` other than HS256 with no key given gets an empty signature.
 *
 * @example
 * await mintToken({ claims: { sub: "u1", org_id: "o1", exp: now + 60 } }); // HS256, TEST_JWT_SECRET
 * await mintToken({ header: { alg: "none" }, claims }); // "<header>.<payload>."
 * await mintToken({ claims, privateKey, header: { kid: "k1" } }); // RS256 or ES256
 */
export async function mintToken(options: MintOptions): Promise<string> {
  const alg = options.alg ?? (options.privateKey ? algorithmOf(options.privateKey) : "HS256");
  const header = { alg, typ: "JWT", ...options.header };
  const payload = options.claimsJson === undefined ? encodeJson(options.claims) : toBase64Url(encoder.encode(options.claimsJson));
  const signingInput = `${encodeJson(header)}.${payload}`;
  const signature = options.signature ?? (await sign(signingInput, header.alg, options));
  return `${signingInput}.${signature}`;
}

/**
 * Generates a signing key pair and the public key set a verifier would download for it.
 *
 * @example
 * const { privateKey, jwks } = await generateJwks("ES256", "key-1");
 * const token = await mintToken({ claims, privateKey, header: { kid: "key-1" } });
 */
export async function generateJwks(
  alg: TestJwksAlgorithm,
  kid: string,
): Promise<{ privateKey: CryptoKey; publicKey: CryptoKey; jwks: TestJwks }> {
  const params =
    alg === "RS256"
      ? { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" }
      : { name: "ECDSA", namedCurve: "P-256" };
  const pair = await crypto.subtle.generateKey(params, true, ["sign", "verify"]);
  if (!("privateKey" in pair)) throw new Error("expected a key pair");
  const jwk = await crypto.subtle.exportKey("jwk", pair.publicKey);
  if (jwk instanceof ArrayBuffer) throw new Error("expected a JSON Web Key");
  return { privateKey: pair.privateKey, publicKey: pair.publicKey, jwks: { keys: [{ ...jwk, kid, alg, use: "sig" }] } };
}

/** A fetch stand-in that serves one JWKS URL and counts the downloads. */
export interface JwksServer {
  fetcher: typeof fetch;
  /** How many times the key set was fetched. */
  requests: number;
  /** What the next download returns; reassign it to rotate keys mid-test. */
  jwks: unknown;
}

/**
 * Serves `jwks` at `url` through the verifier's `fetcher` option, so no test touches the network.
 * Any other URL answers 404.
 *
 * @example
 * const server = serveJwks("https://idp.test/jwks.json", jwks);
 * await verifyJwt(token, { ...options, jwksUrl: "https://idp.test/jwks.json", fetcher: server.fetcher });
 * server.requests; // 1
 */
export function serveJwks(url: string, jwks: unknown): JwksServer {
  const server: JwksServer = {
    requests: 0,
    jwks,
    fetcher: async (input) => {
      const target = input instanceof Request ? input.url : String(input);
      if (target !== url) return new Response("not found", { status: 404 });
      server.requests += 1;
      return new Response(JSON.stringify(server.jwks), { headers: { "content-type": "application/json" } });
    },
  };
  return server;
}

async function sign(signingInput: string, alg: unknown, options: MintOptions): Promise<string> {
  const data = encoder.encode(signingInput);
  if (options.privateKey) {
    const params =
      options.privateKey.algorithm.name === "ECDSA" ? { name: "ECDSA", hash: "SHA-256" } : { name: "RSASSA-PKCS1-v1_5" };
    return toBase64Url(new Uint8Array(await crypto.subtle.sign(params, options.privateKey, data)));
  }
  const secret = options.hsSecret ?? (alg === "HS256" ? TEST_JWT_SECRET : null);
  if (secret === null) return "";
  const raw = typeof secret === "string" ? encoder.encode(secret) : secret;
  const key = await crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return toBase64Url(new Uint8Array(await crypto.subtle.sign("HMAC", key, data)));
}

function algorithmOf(key: CryptoKey): string {
  return key.algorithm.name === "ECDSA" ? "ES256" : "RS256";
}

function encodeJson(value: unknown): string {
  return toBase64Url(encoder.encode(JSON.stringify(value)));
}
