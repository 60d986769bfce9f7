import type { JwtVerifyOptions } from "../../../worker/auth/jwt-verify";
import { TEST_JWT_SECRET, type JwksServer } from "../helpers/jwt";

/** The fixed clock of the verifier tests, in seconds. */
export const NOW = 1_800_000_000;

/** Claims of a fresh user, valid for five minutes at {@link NOW}. */
export function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { sub: `user_${crypto.randomUUID()}`, org_id: `org_${crypto.randomUUID()}`, exp: NOW + 300, ...overrides };
}

/** Verifier options for HS256 with the test secret. */
export function hsOptions(overrides: Partial<JwtVerifyOptions> = {}): JwtVerifyOptions {
  return { hsSecret: TEST_JWT_SECRET, jwksUrl: null, issuer: null, audience: null, nowSeconds: NOW, ...overrides };
}

/** Verifier options for a JWKS served by the test at `url`. */
export function jwksOptions(server: JwksServer, url: string, overrides: Partial<JwtVerifyOptions> = {}): JwtVerifyOptions {
  return { ...hsOptions({ hsSecret: null, jwksUrl: url, fetcher: server.fetcher }), ...overrides };
}

/** A JWKS address no other test uses, so the isolate's cache never carries over. */
export function uniqueJwksUrl(): string {
  return `https://idp-${crypto.randomUUID()}.test/.well-known/jwks.json`;
}
