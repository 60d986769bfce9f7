import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import { Failure } from "../errors/failure";
import { readJsonBody } from "../http/json-body";
import { methodNotAllowed } from "../http/method-not-allowed";
import { digestKey, digestsEqual } from "../crypto/hmac";
import { verifyApiKey } from "../verify/key-verification";
import { throttleKeyFor, toVerificationResult, VerifyInput } from "../verify/verification-result";

let warnedDisabled = false;

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
  const verify = new Hono<AppEnv>();

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
        headers: { "WWW-Authenticate": 'Bearer realm="api-keys-verify"' },
      });
    }
    await next();
  });

  verify.post("/", async (c) => {
    const input = await readJsonBody(c, VerifyInput);
    const verification = await verifyApiKey(c.env, c.var.config, {
      key: input.key,
      permission: input.permission,
      throttleKey: throttleKeyFor(input.clientAddress),
    });
    return c.json(toVerificationResult(verification), 200, { "Cache-Control": "no-store" });
  });

  verify.all("/", methodNotAllowed("POST"));
  return verify;
}

/** Compares HMAC digests of both tokens, so neither length nor content leaks through timing. */
async function tokensEqual(presented: string, expected: string, hashSecret: string): Promise<boolean> {
  return digestsEqual(await digestKey(presented, hashSecret), await digestKey(expected, hashSecret));
}
