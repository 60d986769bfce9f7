// #region readme-token
/** Where the api-keys-edge Worker is; `npm run dev` serves it on port 8787. */
export const API_BASE = import.meta.env.VITE_API_BASE || "http://localhost:8787";

/** The demo page's Ada, admin of Acme. */
const DEMO_USER = { userId: "u_ada", orgId: "org_acme", name: "Ada Admin", permissions: ["api_keys:admin", "contacts:read"] };

/**
 * The signed-in user's token. A real product asks its identity provider instead (Auth0
 * getAccessTokenSilently(), Clerk session.getToken(), …); this example signs a demo user in
 * through the Worker's POST /dev/session, which only local development offers (DEV_LOGIN).
 */
export async function getToken(): Promise<string> {
  const response = await fetch(`${API_BASE}/dev/session`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(DEMO_USER),
  });
  if (!response.ok) throw new Error(`Sign-in failed: ${response.status}`);
  const { token } = (await response.json()) as { token: string };
  return token;
}
// #endregion
