// Who did what from where: the types every audit event carries. The audit folder's base; it
// imports nothing.

/**
 * Who performed an audited action. `leak_report`: a leak report (POST /v1/leaks), `id` naming
 * how it was signed: `github` (GitHub secret scanning) or `hmac` (our own reporters).
 */
export type Actor = { type: "user"; id: string } | { type: "admin_api"; id: string } | { type: "leak_report"; id: "github" | "hmac" };

/** Where a request came from, for the audit log. */
export interface RequestOrigin {
  ip: string | null;
  userAgent: string | null;
}
