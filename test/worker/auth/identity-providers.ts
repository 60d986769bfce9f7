import type { TestJwksAlgorithm } from "../helpers/jwt";

/** A user as the identity provider knows them. */
export interface IdpUser {
  userId: string;
  orgId: string;
  /** In the provider's own naming, e.g. `org:contacts:read` for Clerk. */
  permissions: string[];
}

/**
 * One row of the README's identity-provider table: the Worker settings, exactly as documented,
 * and a token shaped like the provider's real ones (claims layout, algorithm, kid).
 */
export interface IdentityProvider {
  name: string;
  /** The `AUTH_*` settings of the README row, verbatim. */
  settings: Record<string, string>;
  alg: TestJwksAlgorithm;
  /** A kid in the provider's style. */
  kid: string;
  /** How many other keys the provider's JWKS publishes next to the signing one. */
  otherKeys: number;
  /** The permission that makes an org admin, in the provider's naming. */
  adminPermission: string;
  /** An ordinary permission a member holds, in the provider's naming. */
  memberPermission: string;
  /** The permissions the Worker stores for a user who holds `permissions` (some providers add their own). */
  storedPermissions(permissions: string[]): string[];
  claims(user: IdpUser, nowSeconds: number): Record<string, unknown>;
}

const AUTH0 = { issuer: "https://acme.us.auth0.com/", audience: "https://api.acme.example" };
const CLERK = { issuer: "https://clerk.acme.example" };
const WORKOS = { clientId: "client_01HZX8Q6J4N3V9W2C7T5R1K0PM" };
const OKTA = { issuer: "https://acme.okta.com/oauth2/default" };
const COGNITO = { issuer: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123", clientId: "4example5client6id7abcdefg" };

const same = (permissions: string[]) => permissions;

/**
 * The providers of the README table. Facts relied on, per provider:
 * - Auth0: issuer with a trailing slash, `/.well-known/jwks.json`, `aud` an array when `openid`
 *   was requested, Organizations' `org_id`, RBAC's `permissions` array, `sub` like `auth0|…`.
 * - Clerk: session token v2 (`v: 2`, org under `o`), issuer = Frontend API URL, JWKS at
 *   `/.well-known/jwks.json`; `aud` and `permissions` come from the customised session token.
 * - WorkOS: AuthKit access token (`org_id`, `role`, `permissions`, `sid`), issuer
 *   `https://api.workos.com/user_management/<client id>`, JWKS `/sso/jwks/<client id>`; `aud`
 *   comes from the JWT template.
 * - Okta: custom authorization server `default` (`/oauth2/default`, keys at `/v1/keys`,
 *   `aud` `api://default`, `scp` array, `sub` the login); `org_id` is a custom claim.
 * - Cognito: the ID token (access tokens carry no `aud`), `cognito:groups`, `custom:org_id`, two
 *   keys in the pool's JWKS, kids in standard base64.
 */
export const IDENTITY_PROVIDERS: IdentityProvider[] = [
  {
    name: "Auth0",
    settings: {
      AUTH_ISSUER: AUTH0.issuer,
      AUTH_AUDIENCE: AUTH0.audience,
      AUTH_JWKS_URL: "https://acme.us.auth0.com/.well-known/jwks.json",
      AUTH_ORG_CLAIM: "org_id",
      AUTH_PERMISSIONS_CLAIM: "permissions",
    },
    alg: "RS256",
    kid: "k3Yv1dR0pL9mQ2xN7sT4wB",
    otherKeys: 1,
    adminPermission: "api_keys:admin",
    memberPermission: "contacts:read",
    storedPermissions: same,
    claims: (user, now) => ({
      iss: AUTH0.issuer,
      sub: `auth0|${user.userId}`,
      aud: [AUTH0.audience, `${AUTH0.issuer}userinfo`],
      iat: now,
      exp: now + 86_400,
      scope: "openid profile email",
      azp: "Xk2pQ9vL4mN7sR1tY6wZ3bC8dF5gH0jA",
      org_id: user.orgId,
      permissions: user.permissions,
    }),
  },
  {
    name: "Auth0 without Organizations (claims set by an Action)",
    settings: {
      AUTH_ISSUER: AUTH0.issuer,
      AUTH_AUDIENCE: AUTH0.audience,
      AUTH_JWKS_URL: "https://acme.us.auth0.com/.well-known/jwks.json",
      AUTH_ORG_CLAIM: "https://acme.example/claims.org",
      AUTH_PERMISSIONS_CLAIM: "permissions",
    },
    alg: "RS256",
    kid: "k3Yv1dR0pL9mQ2xN7sT4wB",
    otherKeys: 1,
    adminPermission: "api_keys:admin",
    memberPermission: "contacts:read",
    storedPermissions: same,
    claims: (user, now) => ({
      iss: AUTH0.issuer,
      sub: `auth0|${user.userId}`,
      aud: AUTH0.audience,
      iat: now,
      exp: now + 86_400,
      scope: "",
      azp: "Xk2pQ9vL4mN7sR1tY6wZ3bC8dF5gH0jA",
      // api.accessToken.setCustomClaim("https://acme.example/claims", { org: … })
      "https://acme.example/claims": { org: user.orgId, plan: "pro" },
      permissions: user.permissions,
    }),
  },
  {
    name: "Clerk",
    settings: {
      AUTH_ISSUER: CLERK.issuer,
      AUTH_AUDIENCE: "api-keys",
      AUTH_JWKS_URL: "https://clerk.acme.example/.well-known/jwks.json",
      AUTH_ORG_CLAIM: "o.id",
      AUTH_PERMISSIONS_CLAIM: "permissions",
      AUTH_ADMIN_PERMISSION: "org:api_keys:admin",
    },
    alg: "RS256",
    kid: "ins_2kQ9vX3mL7pR1sT5wY8zB4nC6dF",
    otherKeys: 0,
    adminPermission: "org:api_keys:admin",
    memberPermission: "org:contacts:read",
    storedPermissions: same,
    claims: (user, now) => {
      const isAdmin = user.permissions.includes("org:api_keys:admin");
      return {
        azp: "https://app.acme.example",
        exp: now + 60,
        fva: [3, -1],
        iat: now,
        iss: CLERK.issuer,
        nbf: now - 10,
        sid: "sess_2kQ9wE4rT6yU8iO0pA1sD3fG5h",
        sub: user.userId,
        v: 2,
        fea: "o:api_keys,o:contacts",
        // Session token v2: permission names only; the feature of each is in the fpm bitmask.
        o: { id: user.orgId, rol: isAdmin ? "admin" : "member", slg: "acme", per: isAdmin ? "admin,read" : "read", fpm: isAdmin ? "1,2" : "0,1" },
        // From the customised session token: {"aud": "api-keys", "permissions": "{{org_membership.permissions}}"}
        aud: "api-keys",
        permissions: user.permissions,
      };
    },
  },
  {
    name: "WorkOS",
    settings: {
      AUTH_ISSUER: `https://api.workos.com/user_management/${WORKOS.clientId}`,
      AUTH_AUDIENCE: WORKOS.clientId,
      AUTH_JWKS_URL: `https://api.workos.com/sso/jwks/${WORKOS.clientId}`,
      AUTH_ORG_CLAIM: "org_id",
      AUTH_PERMISSIONS_CLAIM: "permissions",
    },
    alg: "RS256",
    kid: "sso_oidc_key_pair_01HZX8Q6J4N3V9W2C7T5R1K0PM",
    otherKeys: 0,
    adminPermission: "api_keys:admin",
    memberPermission: "contacts:read",
    storedPermissions: same,
    claims: (user, now) => ({
      iss: `https://api.workos.com/user_management/${WORKOS.clientId}`,
      sub: user.userId,
      org_id: user.orgId,
      role: user.permissions.includes("api_keys:admin") ? "admin" : "member",
      roles: [user.permissions.includes("api_keys:admin") ? "admin" : "member"],
      permissions: user.permissions,
      entitlements: [],
      sid: "session_01HZX9A1B2C3D4E5F6G7H8J9K0",
      jti: "01HZX9A1B2C3D4E5F6G7H8J9K1",
      exp: now + 300,
      iat: now,
      // From the JWT template: {"aud": "<client id>"}
      aud: WORKOS.clientId,
    }),
  },
  {
    name: "Okta",
    settings: {
      AUTH_ISSUER: OKTA.issuer,
      AUTH_AUDIENCE: "api://default",
      AUTH_JWKS_URL: "https://acme.okta.com/oauth2/default/v1/keys",
      AUTH_ORG_CLAIM: "org_id",
      AUTH_PERMISSIONS_CLAIM: "scp",
    },
    alg: "RS256",
    kid: "Qm3vX9kL2pR7sT1wY5zB8nC4dF6gH0jAqW3eR5tY7uI",
    otherKeys: 1,
    adminPermission: "api_keys:admin",
    memberPermission: "contacts:read",
    // scp also carries the OpenID scopes the app asked for.
    storedPermissions: (permissions) => ["openid", "profile", ...permissions],
    claims: (user, now) => ({
      ver: 1,
      jti: "AT.x9K2mQ7vL4pR1sT5wY8zB3nC6dF0gH",
      iss: OKTA.issuer,
      aud: "api://default",
      iat: now,
      exp: now + 3600,
      cid: "0oa1b2c3d4e5f6g7h8i9",
      uid: "00u1a2b3c4d5e6f7g8h9",
      scp: ["openid", "profile", ...user.permissions],
      auth_time: now - 5,
      // The user's Okta login, usually their email address (`uid` is the immutable id).
      sub: `${user.userId}@acme.example`,
      // A custom claim of the authorization server (value: user.org_id).
      org_id: user.orgId,
    }),
  },
  {
    name: "Cognito",
    settings: {
      AUTH_ISSUER: COGNITO.issuer,
      AUTH_AUDIENCE: COGNITO.clientId,
      AUTH_JWKS_URL: `${COGNITO.issuer}/.well-known/jwks.json`,
      AUTH_ORG_CLAIM: "custom:org_id",
      AUTH_PERMISSIONS_CLAIM: "cognito:groups",
    },
    alg: "RS256",
    kid: "aB3+dE5/fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5bC7dE=",
    otherKeys: 1,
    adminPermission: "api_keys:admin",
    memberPermission: "contacts:read",
    storedPermissions: same,
    claims: (user, now) => ({
      sub: user.userId,
      "cognito:groups": user.permissions,
      email_verified: true,
      iss: COGNITO.issuer,
      "cognito:username": user.userId,
      origin_jti: "7d1e4f0a-2b3c-4d5e-8f9a-0b1c2d3e4f5a",
      aud: COGNITO.clientId,
      event_id: "3c2b1a0f-9e8d-4c7b-a6f5-e4d3c2b1a0f9",
      token_use: "id",
      auth_time: now - 5,
      "custom:org_id": user.orgId,
      exp: now + 3600,
      iat: now,
      jti: "0f9e8d7c-6b5a-4948-3726-15a4b3c2d1e0",
      email: "ada@acme.example",
    }),
  },
];
