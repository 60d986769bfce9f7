// Who did what from where: the types every audit event carries. The audit folder's base; it
// imports nothing.

/** Who performed an audited action. */
export type Actor = { type: "user"; id: string } | { type: "admin_api"; id: string };

/** Where a request came from, for the audit log. */
export interface RequestOrigin {
  ip: string | null;
  userAgent: string | null;
}
