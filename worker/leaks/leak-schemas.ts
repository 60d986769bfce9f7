// leaks/: leak reports that act (POST /v1/leaks): who may report (GitHub's signature, or our
// own reporters' HMAC), GitHub's public keys, and what a confirmed leak does to a key (revoke or
// flag, recorded once, audited once). Floor: imports manage/ and below; knows nothing of HTTP.

import { z } from "zod";

/** Most tokens one report may name; GitHub batches its matches well below this. */
export const MAX_REPORTED_TOKENS = 1000;

/** One match in GitHub's secret-scanning partner format. Fields GitHub may add later are ignored, not refused. */
const ReportedToken = z.object({
  token: z.string().min(1).max(1024).meta({ description: "The string that matched the key's regular expression." }),
  type: z.string().min(1).max(256).meta({ description: "The secret type name registered with GitHub, e.g. api_keys_edge_key; echoed as token_type." }),
  url: z.string().max(8192).meta({ description: "Where the token was found in public (a commit, issue, gist…)." }),
  source: z.string().max(256).optional().meta({ description: "Where GitHub found it: content, commit, pull_request_title, npm…" }),
});
export type ReportedToken = z.output<typeof ReportedToken>;

/** Body of `POST /v1/leaks`: GitHub's partner format, a JSON array of matches. */
export const LeakReportInput = z
  .array(ReportedToken)
  .min(1, "Report at least one token.")
  .max(MAX_REPORTED_TOKENS, `Report at most ${MAX_REPORTED_TOKENS} tokens at once.`)
  .meta({ id: "LeakReport" });
export type LeakReportInput = z.output<typeof LeakReportInput>;

/** The answer for one reported token, in GitHub's partner format. */
export const LeakVerdict = z.object({
  token_hash: z.string().meta({ description: "SHA-256 of the reported token, lowercase hex." }),
  token_type: z.string().meta({ description: "The reported type, as sent." }),
  label: z
    .enum(["true_positive", "false_positive"])
    .meta({ description: "true_positive: one of this deployment's keys, now revoked or flagged. false_positive: anything else (nothing more is said about it)." }),
});
export type LeakVerdict = z.output<typeof LeakVerdict>;

export const LeakReportResponse = z.array(LeakVerdict).meta({ id: "LeakReportResponse" });
