import { z } from "zod";


/**
 * Response shapes of the edge's routes that build their JSON inline (`/api/whoami`, the JWKS),
 * written down for their route definitions. test/worker/openapi-conformance.test.ts parses real
 * responses with them, so they cannot drift from what the routes send.
 */

/** One rate-limit policy's state after the request was admitted. */
export const RateLimitState = z
  .strictObject({
    limit: z.number().int().meta({ description: "Admitted requests allowed in any window of windowSeconds." }),
    windowSeconds: z.number().int(),
    remaining: z.number().int().meta({ description: "Requests still admitted in the current sliding window." }),
    resetSeconds: z.number().int().meta({ description: "Whole seconds until remaining grows again." }),
  })
  .meta({ id: "RateLimitState" });

/** Every policy of the key's limiter by name: its own, or the defaults `burst` and `minute`. */
export const RateLimitStates = z.record(z.string(), RateLimitState).meta({
  id: "RateLimitStates",
  description:
    "Each of the key's rate limits by its name: the key's own, or the defaults burst (10 requests in any 1 s) and minute (100 in any 60 s). Shared by a rotated key and its successor.",
  example: { burst: { limit: 10, windowSeconds: 1, remaining: 9, resetSeconds: 1 }, minute: { limit: 100, windowSeconds: 60, remaining: 99, resetSeconds: 60 } },
});

/** A key's credits after the request. */
export const CreditsState = z
  .strictObject({
    remaining: z.number().int().meta({ description: "The balance after this request's cost was spent." }),
    nextRefillAt: z.string().nullable().meta({ description: "RFC 3339: when the balance is next refilled (00:00 UTC), or null: never." }),
  })
  .meta({ id: "CreditsState" });

/** What `GET /api/whoami` answers: the key, its org and creator, effective permissions and limits. */
export const WhoamiResponse = z
  .strictObject({
    key: z.strictObject({ id: z.string(), name: z.string() }),
    org: z.strictObject({ id: z.string() }),
    user: z.strictObject({ id: z.string(), name: z.string().nullable().meta({ description: "The creator's display name, if known." }) }),
    permissions: z.array(z.string()).meta({ description: "Effective permissions: the creator's current permissions ∩ the key's scopes." }),
    rateLimit: RateLimitStates,
    credits: CreditsState.nullable().meta({ description: "The key's credits after this request, or null: the key has none." }),
  })
  .meta({ id: "Whoami" });

/** One public key of `/.well-known/jwks.json` (RFC 7517), P-256 for ES256. */
export const PublicJwk = z
  .strictObject({
    kty: z.literal("EC"),
    crv: z.literal("P-256"),
    x: z.string().meta({ description: "base64url x coordinate." }),
    y: z.string().meta({ description: "base64url y coordinate." }),
    kid: z.string().meta({ description: "Matches the kid in the header of an X-Api-Assertion." }),
    alg: z.literal("ES256"),
    use: z.literal("sig"),
  })
  .meta({ id: "PublicJwk" });

/** `GET /.well-known/jwks.json`. */
export const JwksResponse = z.strictObject({
  keys: z.array(PublicJwk).meta({ description: "Current keys, and during a rotation the previous one too." }),
});
