import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import { Failure } from "../errors/failure";
import { isJsonContentType, readLimitedBytes, validate } from "../http/json-body";
import { refuseOtherMethods } from "../http/method-not-allowed";
import { problemResponses } from "../http/problem-docs";
import { requestOrigin } from "../http/request-origin";
import { defineRoute } from "../http/route-definition";
import { LeakReportInput, LeakReportResponse, MAX_REPORTED_TOKENS } from "../leaks/leak-schemas";
import { LeakService } from "../leaks/leak-service";
import { authenticateReport, type Reporter } from "../leaks/report-signature";

/** Largest leak report accepted, in bytes: room for {@link MAX_REPORTED_TOKENS} matches with long URLs. */
export const MAX_LEAK_REPORT_BYTES = 1024 * 1024;

const UNSIGNED =
  "Sign the report: Github-Public-Key-Identifier and Github-Public-Key-Signature (GitHub secret scanning), or X-Leak-Report-Timestamp and X-Leak-Report-Signature (LEAK_REPORT_HMAC_SECRET).";

/**
 * Reads the report's exact bytes (1 MiB at most), checks their signature before anything else
 * is looked at, then parses and validates them: the handler gets a signed, valid report and who
 * signed it. Without any way to check a signature configured, the route does not exist (404).
 */
const signedReport = createMiddleware<AppEnv & { Variables: { report: LeakReportInput; reporter: Reporter } }>(async function signedReport(c, next) {
  const leaks = c.var.config.leaks;
  if (leaks.publicKeys.length === 0 && !leaks.keysUrl && !leaks.hmacSecret) throw new Failure("not_found", "No such route.");
  const body = await readLimitedBytes(c.req.raw, MAX_LEAK_REPORT_BYTES);
  const auth = await authenticateReport(
    leaks,
    {
      githubKeyIdentifier: c.req.header("Github-Public-Key-Identifier") ?? null,
      githubSignature: c.req.header("Github-Public-Key-Signature") ?? null,
      hmacTimestamp: c.req.header("X-Leak-Report-Timestamp") ?? null,
      hmacSignature: c.req.header("X-Leak-Report-Signature") ?? null,
    },
    body,
    Date.now(),
  );
  if (!auth.ok) {
    if (auth.reason === "keys_unavailable") {
      throw new Failure("identity_provider_unavailable", "GitHub's signing keys could not be fetched; retry shortly.", { retryAfterSeconds: 30 });
    }
    throw new Failure("unauthenticated", UNSIGNED, { realm: "api-keys-leaks" });
  }
  if (!isJsonContentType(c.req.header("Content-Type"))) throw new Failure("unsupported_media_type", "Send the report as application/json.");
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(body));
  } catch {
    throw new Failure("malformed_json", "The request body is not valid JSON in UTF-8.");
  }
  c.set("report", validate(LeakReportInput, value, "body"));
  c.set("reporter", auth.reporter);
  await next();
});

const reportLeaks = createRoute({
  method: "post",
  path: "/",
  tags: ["Leak reports"],
  security: [{ githubSignature: [] }, { leakReportHmac: [] }],
  summary: "Report keys found in public",
  middleware: [signedReport] as const,
  description:
    "The endpoint of GitHub's secret-scanning partner program, and of your own scanners. The body is GitHub's format: a JSON array (1–1000) of `{ token, type, url, source }`, at most 1 MiB, signed either by GitHub (`Github-Public-Key-Identifier` and `Github-Public-Key-Signature`: ECDSA P-256 with SHA-256 over the exact body, checked against LEAK_REPORT_PUBLIC_KEYS or the keys at LEAK_REPORT_KEYS_URL) or with the shared secret LEAK_REPORT_HMAC_SECRET (`X-Leak-Report-Timestamp`: Unix seconds, within 5 minutes; `X-Leak-Report-Signature: sha256=<hex HMAC-SHA-256 of timestamp + \".\" + body>`). " +
    "Each token that is one of this deployment's keys is revoked (leak policy revoke, the default: exactly like a manual revoke, so no request is admitted once this answer has left) or flagged (flag), as the key's org set with PUT /v1/admin/orgs/{orgId}/policy, else LEAK_POLICY, and the key shows `leak` from then on, with one `key.leaked` audit event. Repeating a report changes nothing. " +
    "The signature is checked before anything else; the route exists only where a way to check it is configured.",
  request: {
    body: {
      required: true,
      content: {
        "application/json": {
          // Documented, not validated by defineRoute: the signed bytes are read and checked by signedReport first.
          schema: { $ref: "#/components/schemas/LeakReport" },
          example: [{ token: "ak_live_…", type: "api_keys_edge_key", url: "https://github.com/octo/repo/blob/abc123/.env", source: "content" }],
        },
      },
    },
  },
  responses: {
    200: {
      description:
        "One verdict per reported token, in order, in GitHub's format. true_positive: one of this deployment's keys (now revoked or flagged); false_positive: anything else, and nothing more is said about it.",
      content: { "application/json": { schema: LeakReportResponse } },
    },
    ...problemResponses([
      ["unauthenticated", "The report is unsigned, or its signature, key identifier or timestamp does not check out. Nothing about its tokens is revealed."],
      ["not_found", "No LEAK_REPORT_PUBLIC_KEYS, LEAK_REPORT_KEYS_URL or LEAK_REPORT_HMAC_SECRET is set: the route does not exist."],
      ["payload_too_large", "The body is over 1 MiB."],
      "unsupported_media_type",
      "malformed_json",
      ["validation_failed", `Not an array of 1–${MAX_REPORTED_TOKENS} { token, type, url, source? } objects.`],
      ["identity_provider_unavailable", "GitHub's signing keys (LEAK_REPORT_KEYS_URL) could not be fetched; retry later."],
    ]),
  },
});

/**
 * `POST /v1/leaks`: leak reports that act, in GitHub's secret-scanning partner format (README
 * "Leak reports"). Signed by GitHub or by our own reporters' shared secret; each real key named is
 * revoked or flagged under its org's leak policy (else `LEAK_POLICY`), once.
 *
 * @example
 * app.route("/v1/leaks", leakRoutes());
 */
export function leakRoutes() {
  const leaks = new OpenAPIHono<AppEnv>();
  leaks.openAPIRegistry.register("LeakReport", LeakReportInput);

  defineRoute(leaks, reportLeaks, async (c) => {
    const verdicts = await new LeakService(c.env, c.var.config).report(c.var.report, c.var.reporter, requestOrigin(c.req.raw));
    return c.json(verdicts, 200);
  });

  refuseOtherMethods(leaks);
  return leaks;
}
