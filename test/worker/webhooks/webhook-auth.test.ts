import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../../worker/app";
import { randomBase62 } from "../../../worker/crypto/base62";
import { openApiDocument } from "../../../worker/openapi/openapi-document";
import { admin, call, createKey, unique, user, type TestUser } from "../helpers/api";
import { mintToken } from "../helpers/jwt";
import { createEndpoint, deliveriesOf, orgWithEndpoint, receiverEndpoint, waitFor } from "./webhook-helpers";

/** A webhook route as the app registers it, e.g. `POST /v1/webhooks/:id/deliveries/:deliveryId/resend`. */
interface WebhookRoute {
  method: string;
  path: string;
  label: string;
}

/** Every concrete route under /v1/webhooks, from the app itself: a route added later is walked too. */
function webhookRoutes(): WebhookRoute[] {
  const found = new Map<string, WebhookRoute>();
  for (const { method, path } of createApp().routes) {
    if (method === "ALL" || !/^\/v1\/webhooks(\/|$)/.test(path)) continue;
    found.set(`${method} ${path}`, { method, path, label: `${method} ${path}` });
  }
  return [...found.values()];
}

const ROUTES = webhookRoutes();

/** An org admin's endpoint with one delivery in it (a real one: a key was created and fanned out). */
interface Fixture {
  owner: TestUser;
  endpointId: string;
  deliveryId: string;
}

async function fixture(): Promise<Fixture> {
  const { owner, endpoint } = await orgWithEndpoint();
  await createKey(owner);
  await waitFor(async () => (await deliveriesOf(owner, endpoint.id)).length > 0, "a delivery");
  const [delivery] = await deliveriesOf(owner, endpoint.id);
  return { owner, endpointId: endpoint.id, deliveryId: delivery!.id };
}

function pathFor(route: WebhookRoute, ids: { endpointId: string; deliveryId: string }): string {
  return route.path.replace(":deliveryId", ids.deliveryId).replace(":id", ids.endpointId);
}

function bodyFor(route: WebhookRoute): unknown {
  // The receiver: events of this org (a deactivation, a key) reach it, never the public network.
  if (route.label === "POST /v1/webhooks") return { url: receiverEndpoint().url };
  if (route.label === "PATCH /v1/webhooks/:id") return { description: unique("desc") };
  return route.method === "GET" ? undefined : {};
}

function send(route: WebhookRoute, token: string | null, ids: { endpointId: string; deliveryId: string }): Promise<Response> {
  return call(route.method, pathFor(route, ids), { token, json: bodyFor(route) });
}

async function problemOf(res: Response): Promise<{ status: number; code: string }> {
  const body = (await res.json()) as { code: string };
  return { status: res.status, code: body.code };
}

let shared: Fixture;
let foreign: Fixture;

beforeAll(async () => {
  [shared, foreign] = await Promise.all([fixture(), fixture()]);
}, 60_000);

describe("auth matrix of the webhook routes", () => {
  it("derives the seven webhook routes from the app", () => {
    expect(ROUTES.map((r) => r.label).sort()).toEqual(
      [
        "DELETE /v1/webhooks/:id",
        "GET /v1/webhooks",
        "GET /v1/webhooks/:id/deliveries",
        "GET /v1/webhooks/:id/deliveries/:deliveryId",
        "PATCH /v1/webhooks/:id",
        "POST /v1/webhooks",
        "POST /v1/webhooks/:id/deliveries/:deliveryId/resend",
      ].sort(),
    );
  });

  it("documents each of them with the user's token", () => {
    const { paths } = openApiDocument(createApp()) as { paths: Record<string, Record<string, { security?: unknown }>> };
    const documented = Object.entries(paths)
      .filter(([path]) => path.startsWith("/v1/webhooks"))
      .flatMap(([path, item]) =>
        Object.entries(item).map(([method, op]) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ":$1")} ${JSON.stringify(op.security)}`),
      );
    expect(documented.sort()).toEqual(ROUTES.map((r) => `${r.label} [{"user":[]}]`).sort());
  });

  for (const route of ROUTES) {
    describe(route.label, () => {
      it(`${route.label} succeeds for an org admin`, async () => {
        // Deleting needs an endpoint of its own; the others leave the shared one usable.
        const ids = route.method === "DELETE" ? { endpointId: (await createEndpoint(shared.owner, { url: receiverEndpoint().url })).id, deliveryId: "" } : shared;
        const res = await send(route, shared.owner.token, ids);
        expect(res.ok, `${res.status} ${await res.clone().text()}`).toBe(true);
      });

      it(`${route.label} answers 401 without a token, and with an expired one`, async () => {
        expect(await problemOf(await send(route, null, shared))).toEqual({ status: 401, code: "unauthenticated" });
        const now = Math.floor(Date.now() / 1000);
        const expired = await mintToken({
          claims: { sub: shared.owner.userId, org_id: shared.owner.orgId, permissions: shared.owner.permissions, iat: now - 7200, exp: now - 3600 },
        });
        expect(await problemOf(await send(route, expired, shared))).toEqual({ status: 401, code: "unauthenticated" });
      });

      it(`${route.label} answers 403 to an admin deactivated through the admin API`, async () => {
        const former = await admin(shared.owner.orgId);
        const put = await call("PUT", `/v1/admin/orgs/${former.orgId}/users/${former.userId}`, {
          token: env.ADMIN_API_TOKEN,
          json: { permissions: former.permissions, active: false },
        });
        expect(put.status).toBe(200);
        expect(await problemOf(await send(route, former.token, shared))).toEqual({ status: 403, code: "user_deactivated" });
      });

      it(`${route.label} answers 403 forbidden to a member of the org, and changes nothing`, async () => {
        const member = await user({ orgId: shared.owner.orgId });
        // The endpoints, and which attempt sequence the shared delivery is in (a resend would start a new one).
        const state = () =>
          env.DB.batch([
            env.DB.prepare("SELECT * FROM webhook_endpoints WHERE org_id = ? ORDER BY id").bind(shared.owner.orgId),
            env.DB.prepare("SELECT id, generation FROM webhook_deliveries WHERE id = ?").bind(shared.deliveryId),
          ]).then((results) => JSON.stringify(results.map((r) => r.results)));
        const before = await state();
        expect(await problemOf(await send(route, member.token, shared))).toEqual({ status: 403, code: "forbidden" });
        expect(await state()).toBe(before);
      });

      if (!route.path.includes(":id")) return;

      it(`${route.label} answers another org's endpoint and delivery ids exactly like ids that do not exist`, async () => {
        const other = await problemOf(await send(route, shared.owner.token, foreign));
        const missing = await problemOf(
          await send(route, shared.owner.token, { endpointId: `whk_${randomBase62(24)}`, deliveryId: `whd_${randomBase62(24)}` }),
        );
        expect(other).toEqual({ status: 404, code: "not_found" });
        expect(missing).toEqual(other);
      });

      it(`${route.label} answers 404 to a malformed id`, async () => {
        const res = await send(route, shared.owner.token, { endpointId: "whk_nope", deliveryId: "whd_nope" });
        expect(await problemOf(res)).toEqual({ status: 404, code: "not_found" });
      });
    });
  }
});
