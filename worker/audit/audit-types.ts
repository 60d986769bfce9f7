// Who did what from where: the types every audit event carries. The audit folder's base; it
// imports nothing.

/**
 * Who performed an audited action. `leak_report`: a leak report (POST /v1/leaks), `id` naming
 * how it was signed: `github` (GitHub secret scanning) or `hmac` (our own reporters). `system`: the
 * Worker itself, `id` naming what acted: `cron` (the scheduled lifecycle run: expiry reminders, revocations of unused keys) or
 * `edge` (a request refused at the edge, such as key.ip_refused).
 */
export type Actor =
  | { type: "user"; id: string }
  | { type: "admin_api"; id: string }
  | { type: "leak_report"; id: "github" | "hmac" }
  | { type: "system"; id: "cron" | "edge" };

/** Where a request came from, for the audit log. */
export interface RequestOrigin {
  ip: string | null;
  userAgent: string | null;
}
