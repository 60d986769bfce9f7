import { env } from "cloudflare:workers";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { clearJwksCache } from "../../../worker/auth/jwks";
import { call, unique, type KeyJson } from "../helpers/api";
import { generateJwks, mintToken, serveJwks, type TestJwks } from "../helpers/jwt";
import { IDENTITY_PROVIDERS, type IdpUser } from "./identity-providers";

beforeEach(() => clearJwksCache());
afterEach(() => vi.restoreAllMocks());

for (const idp of IDENTITY_PROVIDERS) {
  describe(`signing in through ${idp.name} with the README's settings`, () => {
    // The README row and nothing else: no HS256 secret to fall back on.
    const settings = { ...idp.settings, AUTH_JWT_SECRET: undefined };
    let privateKey: CryptoKey;
    let jwks: TestJwks;

    beforeAll(async () => {
      const signer = await generateJwks(idp.alg, idp.kid);
      const others = await Promise.all(Array.from({ length: idp.otherKeys }, (_, i) => generateJwks(idp.alg, `other-${i}-${idp.kid}`)));
      privateKey = signer.privateKey;
      // The signing key last, as a rotated-in key would be.
      jwks = { keys: [...others.flatMap((other) => other.jwks.keys), ...signer.jwks.keys] };
    });

    /** The identity provider's key set, served at the README's JWKS URL (the only outbound call). */
    function serveIdentityProvider() {
      const server = serveJwks(idp.settings.AUTH_JWKS_URL!, jwks);
      vi.spyOn(globalThis, "fetch").mockImplementation(server.fetcher);
      return server;
    }

    async function tokenFor(user: IdpUser): Promise<{ token: string; sub: string }> {
      const claims = idp.claims(user, Math.floor(Date.now() / 1000));
      return { token: await mintToken({ claims, privateKey, header: { kid: idp.kid } }), sub: String(claims.sub) };
    }

    function member(orgId = unique("org")): IdpUser {
      return { userId: unique("user"), orgId, permissions: [idp.memberPermission] };
    }

    async function createKey(token: string, scopes: string[]): Promise<Response> {
      return call("POST", "/v1/keys", { token, env: settings, json: { name: unique("key"), scopes } });
    }

    it("takes the user from sub, the org and the permissions from the configured claims", async () => {
      const server = serveIdentityProvider();
      const user = member();
      const { token, sub } = await tokenFor(user);
      const created = await createKey(token, [idp.memberPermission]);
      expect(created.status).toBe(201);
      expect(((await created.json()) as { key: KeyJson }).key.createdBy.id).toBe(sub);
      const stored = await env.DB.prepare("SELECT permissions FROM users WHERE org_id = ? AND id = ?").bind(user.orgId, sub).first<string>("permissions");
      expect([JSON.parse(stored ?? "null"), server.requests]).toEqual([idp.storedPermissions(user.permissions), 1]);
    });

    it("refuses a key scope that the token's permissions do not grant", async () => {
      serveIdentityProvider();
      const { token } = await tokenFor(member());
      const res = await createKey(token, [idp.adminPermission]);
      expect(res.status).toBe(422);
    });

    it("makes the holder of the admin permission an admin of that org and no other", async () => {
      serveIdentityProvider();
      const owner = member();
      const created = await createKey((await tokenFor(owner)).token, [idp.memberPermission]);
      const keyId = ((await created.json()) as { key: KeyJson }).key.id;
      const listedBy = async (user: IdpUser) => {
        const res = await call("GET", "/v1/keys", { token: (await tokenFor(user)).token, env: settings });
        expect(res.status).toBe(200);
        return ((await res.json()) as { keys: KeyJson[] }).keys.map((key) => key.id);
      };
      const admin = { ...member(owner.orgId), permissions: [idp.adminPermission, idp.memberPermission] };
      const colleague = member(owner.orgId);
      const otherAdmin = { ...admin, userId: unique("user"), orgId: unique("org") };
      expect([await listedBy(admin), await listedBy(colleague), await listedBy(otherAdmin)]).toEqual([[keyId], [], []]);
    });

    it("refuses the same token once the audience setting names another API", async () => {
      serveIdentityProvider();
      const { token } = await tokenFor(member());
      const res = await call("GET", "/v1/keys", { token, env: { ...settings, AUTH_AUDIENCE: "https://other-api.example" } });
      expect([res.status, await res.json()]).toEqual([401, expect.objectContaining({ detail: expect.stringContaining("wrong audience") })]);
    });
  });
}
