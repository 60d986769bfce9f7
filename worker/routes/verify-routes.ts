import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../app-env";
import { digestKey, digestsEqual } from "../crypto/hmac";
import { Failure } from "../errors/failure";
import { BODY_PROBLEMS } from "../http/json-body";
import { refuseOtherMethods } from "../http/method-not-allowed";
import { problemResponses } from "../http/problem-docs";
import { defineRoute } from "../http/route-definition";
import { verifyApiKey } from "../verify/key-verification";
import { throttleKeyFor, toVerificationResult, VerifyInput } from "../verify/verification-result";
import { VerifyOutcome } from "./verify-contract";

let warnedDisabled = false;

const verifyKey = createRoute({
  method: "post",
  path: "/",
  tags: ["Key verification"],
  security: [{ verifyToken: [] }],
  summary: "Verify a key from any backend",
  description:
    "The same check as `/api/*`, over HTTP, for backends that receive keys themselves (Workers can bind to the `KeyVerifier` entrypoint instead, with the same outcomes): an admitted key counts against its rate limits exactly like a request to `/api/*`. Every outcome, refusals included, is 200 with `valid` and `code`; only a problem with this call itself (token, body) is a problem response. The key is never echoed back, logged or stored.\n\n" +
    "Pass `clientAddress`, your client's IP address: a key with an IP allowlist is refused (`ip_not_allowed`) from outside it and without it, and invalid keys count against that address's failed-attempt throttle (a bucket of its own, apart from the addresses `/api/*` counts). The route exists only where `VERIFY_API_TOKEN` is set.",
  request: {
    body: {
      required: true,
      content: { "application/json": { schema: VerifyInput, example: { key: "ak_live_…", permission: "contacts:read", clientAddress: "203.0.113.7" } } },
    },
  },
  responses: {
    200: {
      description: "The outcome: admitted with the key's identity and rate-limit state, or the reason for refusal. Cache-Control: no-store.",
      content: { "application/json": { schema: VerifyOutcome } },
    },
    ...problemResponses([
      ["unauthenticated", "The Authorization header does not carry VERIFY_API_TOKEN."],
      ["not_found", "VERIFY_API_TOKEN is not set: the route does not exist."],
      ...BODY_PROBLEMS,
    ]),
  },
});

/**
 * `POST /v1/verify`: key checks for backends that are not Workers. Authenticated by the service
 * token `VERIFY_API_TOKEN` (`Authorization: Bearer …`, compared in constant time; no user token,
 * no admin token). The body is `{ key, permission?, clientAddress? }`; the answer is always 200
 * with the outcome (`{ valid, code, … }`, the same as the `KeyVerifier` binding), counted against
 * the key's limits like a request to `/api/*`. A bad token is 401, a bad body 400/413/415/422
 * problem+json, and without `VERIFY_API_TOKEN` the route does not exist (404). The key is never
 * echoed: not in the answer, not in a problem, not in the log.
 *
 * @example
 * app.route("/v1/verify", verifyRoutes());
 * // curl -X POST https://keys.example.com/v1/verify -H "Authorization: Bearer $VERIFY_API_TOKEN" \
 * //   -H 'Content-Type: application/json' -d '{"key":"ak_live_…","permission":"invoices:read"}'
 */
export function verifyRoutes() {
  const verify = new OpenAPIHono<AppEnv>();

  verify.use(async function requireVerifyToken(c, next) {
    const { verifyApiToken, keyHashSecret } = c.var.config;
    if (!verifyApiToken) {
      if (!warnedDisabled) {
        warnedDisabled = true;
        console.warn("POST /v1/verify answers 404: VERIFY_API_TOKEN is not set");
      }
      throw new Failure("not_found", "No such route.");
    }
    const presented = /^Bearer ([\x21-\x7e]+)$/.exec(c.req.header("Authorization") ?? "")?.[1];
    if (!presented || !(await tokensEqual(presented, verifyApiToken, keyHashSecret))) {
      throw new Failure("unauthenticated", "Send the verification service token as Authorization: Bearer <VERIFY_API_TOKEN>.", {
        realm: "api-keys-verify",
      });
    }
    await next();
  });

  defineRoute(verify, verifyKey, async (c) => {
    const input = c.req.valid("json");
    const verification = await verifyApiKey(
      c.env,
      c.var.config,
      {
        key: input.key,
        permission: input.permission,
        throttleKey: throttleKeyFor(input.clientAddress),
        clientAddress: input.clientAddress,
        cost: input.cost,
      },
      { waitUntil: (work) => c.executionCtx.waitUntil(work) },
    );
    return c.json(toVerificationResult(verification), 200, { "Cache-Control": "no-store" });
  });

  refuseOtherMethods(verify);
  return verify;
}

/** Compares HMAC digests of both tokens, so neither length nor content leaks through timing. */
async function tokensEqual(presented: string, expected: string, hashSecret: string): Promise<boolean> {
  return digestsEqual(await digestKey(presented, hashSecret), await digestKey(expected, hashSecret));
}
