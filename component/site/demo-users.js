// The three demo users of the demo page, signed in through POST /dev/session (local dev only).
// `npm run dev` lists them in its start-up banner from this same module.
export const DEMO_USERS = Object.freeze({
  admin: { userId: "u_ada", orgId: "org_acme", name: "Ada Admin", permissions: ["api_keys:admin", "contacts:read", "contacts:write"] },
  member: { userId: "u_max", orgId: "org_acme", name: "Max Member", permissions: ["contacts:read"] },
  other: { userId: "u_olga", orgId: "org_globex", name: "Olga Other", permissions: ["contacts:read"] },
});
