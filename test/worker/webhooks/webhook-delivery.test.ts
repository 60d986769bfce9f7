import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { runScheduled } from "../../../worker/lifecycle/scheduled";
import { DELIVERY_RETENTION_MS, STUCK_AFTER_MS, sweepWebhooks } from "../../../worker/webhooks/sweep";
import { WebhookMessageSchema } from "../../../worker/webhooks/webhook-schemas";
import { admin, call, createKey, putUser, unique, user } from "../helpers/api";
import { hmacReport, reportBody } from "../leaks/leak-helpers";
import { bodiesOf, createEndpoint, deliveriesOf, deliveryOf, orgWithEndpoint, receiverEndpoint, waitFor } from "./webhook-helpers";

/** The local schedule of wrangler.toml's top level (WEBHOOK_RETRY_DELAYS = "1,1,2", max_retries = 3). */
const RETRY_DELAYS = env.WEBHOOK_RETRY_DELAYS.split(",");

/** The queue's work is asynchronous, retries take seconds: each test polls with its own deadlines within this. */
const SLOW = { timeout: 90_000 };

describe("webhook delivery end to end", SLOW, () => {
  it("delivers a verified key.created when a key is created, and a key.revoked when it is revoked", async () => {
    const { owner, hook } = await orgWithEndpoint();
    const { key } = await createKey(owner, { name: "CRM" });
    await waitFor(async () => (await hook.received()).length === 1, "key.created");
    expect((await call("POST", `/v1/keys/${key.id}/revoke`, { token: owner.token })).status).toBe(200);
    await waitFor(async () => (await hook.received()).length === 2, "key.revoked");

    const received = await hook.received();
    expect(received.map((r) => [r.verified, r.verifyError])).toEqual([
      [true, null],
      [true, null],
    ]);
    const [created, revoked] = await bodiesOf(hook);
    expect(created).toMatchObject({ type: "key.created", data: { orgId: owner.orgId, actor: { type: "user", id: owner.userId } } });
    expect(created!.data.key).toMatchObject({ id: key.id, name: "CRM", hint: key.hint, status: "active", revokedAt: null, owner: { id: owner.userId } });
    expect(revoked).toMatchObject({ type: "key.revoked", data: { key: { id: key.id, status: "revoked" } } });
    expect((revoked!.data.key as { revokedAt: string }).revokedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    // webhook-id is the audit event's id; the body's timestamp is when the event happened.
    const events = await env.DB.prepare("SELECT id, action, at FROM audit_events WHERE key_id = ? ORDER BY at").bind(key.id).all<{ id: string; action: string; at: number }>();
    expect(received.map((r) => r.id)).toEqual(events.results.map((e) => e.id));
    expect(revoked!.timestamp).toBe(new Date(events.results[1]!.at).toISOString());
  });

  it("never puts a secret, a digest or a signing secret in a payload", async () => {
    const { owner, hook, endpoint } = await orgWithEndpoint();
    const { key, secret } = await createKey(owner);
    await call("POST", `/v1/keys/${key.id}/rotate`, { token: owner.token, json: {} });
    await waitFor(async () => (await hook.received()).length === 3, "key.created, key.created, key.rotated");
    const digests = await env.DB.prepare("SELECT secret_digest FROM api_keys WHERE org_id = ?").bind(owner.orgId).all<{ secret_digest: string }>();
    const everything = JSON.stringify(await hook.received());
    for (const forbidden of [secret, secret.slice(-20), endpoint.secret!, endpoint.secret!.slice(6), ...digests.results.map((d) => d.secret_digest)]) {
      expect(everything).not.toContain(forbidden);
    }
    expect(everything).not.toMatch(/secret|digest/i);
    for (const body of await bodiesOf(hook)) WebhookMessageSchema.parse(body);
  });

  it("names the successor in key.rotated, the URL in key.leaked and the user in user.deactivated", async () => {
    const { owner, hook } = await orgWithEndpoint({ events: ["key.rotated", "key.leaked", "user.deactivated"] });
    const member = await user({ orgId: owner.orgId, name: "Grace" });
    const { key, secret } = await createKey(member);
    const rotated = await call("POST", `/v1/keys/${key.id}/rotate`, { token: member.token, json: {} });
    const successorId = ((await rotated.json()) as { key: { id: string } }).key.id;
    await waitFor(async () => (await hook.received()).length === 1, "key.rotated");
    const url = `https://github.com/octo/${unique("repo")}/blob/main/.env`;
    expect((await hmacReport(reportBody([secret], url))).status).toBe(200);
    await waitFor(async () => (await hook.received()).length === 2, "key.leaked");
    expect((await putUser(member.orgId, member.userId, { permissions: [], active: false })).status).toBe(200);
    await waitFor(async () => (await hook.received()).length === 3, "user.deactivated");

    const [r, l, d] = await bodiesOf(hook);
    expect(r).toMatchObject({ type: "key.rotated", data: { key: { id: key.id, rotatedToId: successorId }, successorId } });
    expect(l).toMatchObject({ type: "key.leaked", data: { key: { id: key.id, leak: { url } }, url, actor: { type: "leak_report", id: "hmac" } } });
    expect(d).toMatchObject({ type: "user.deactivated", data: { user: { id: member.userId, name: "Grace", active: false }, actor: { type: "admin_api" } } });
    expect((await hook.received()).every((w) => w.verified)).toBe(true);
    // Exactly what the OpenAPI document's webhooks section says (strict: no undocumented member).
    for (const body of [r, l, d]) WebhookMessageSchema.parse(body);
  });

  it("delivers the scheduled run's key.expiring and key.expired, with their detail, as the run writes them", async () => {
    const { owner, hook } = await orgWithEndpoint({ events: ["key.expiring", "key.expired"] });
    const t0 = Date.now();
    const { key } = await createKey(owner, { expiresAt: new Date(t0 + 3 * 86_400_000).toISOString() });
    await runScheduled(env, t0);
    await waitFor(async () => (await hook.received()).length === 1, "key.expiring");
    await runScheduled(env, t0 + 4 * 86_400_000);
    await waitFor(async () => (await hook.received()).length === 2, "key.expired");
    expect((await hook.received()).every((r) => r.verified)).toBe(true);
    const [expiring, expired] = await bodiesOf(hook);
    expect(expiring).toMatchObject({ type: "key.expiring", data: { key: { id: key.id }, detail: { window: "7d", expiresAt: key.expiresAt } } });
    expect(expired).toMatchObject({ type: "key.expired", data: { key: { id: key.id }, detail: { expiresAt: key.expiresAt } } });
  });

  it("raises the canary alarm as a webhook, with the user's address, user agent and path, while the use answers like an unknown key", async () => {
    const { owner, hook } = await orgWithEndpoint({ events: ["key.canary_used", "key.paused", "key.resumed"] });
    const { key, secret } = await createKey(owner, { name: "Decoy in the old wiki", canary: true });
    const use = await call("GET", "/api/contacts", { headers: { "X-API-Key": secret, "CF-Connecting-IP": "203.0.113.66", "User-Agent": "curl/8.9" } });
    expect(use.status).toBe(401);
    await waitFor(async () => (await hook.received()).length === 1, "key.canary_used");
    const [alarm] = await bodiesOf(hook);
    expect(alarm).toMatchObject({
      type: "key.canary_used",
      data: { key: { id: key.id, name: "Decoy in the old wiki" }, origin: { ip: "203.0.113.66", userAgent: "curl/8.9" }, detail: { path: "/api/contacts", uses: 1 } },
    });
    WebhookMessageSchema.parse(alarm);

    const real = await createKey(owner, { name: "Real" });
    expect((await call("PATCH", `/v1/keys/${real.key.id}`, { token: owner.token, json: { enabled: false } })).status).toBe(200);
    expect((await call("PATCH", `/v1/keys/${real.key.id}`, { token: owner.token, json: { enabled: true } })).status).toBe(200);
    await waitFor(async () => (await hook.received()).length === 3, "key.paused and key.resumed");
    const types = (await bodiesOf(hook)).map((b) => b.type);
    expect(types.slice(1)).toEqual(["key.paused", "key.resumed"]);
    // Only the canary's alarm carries an origin: a user's address never leaves in a webhook.
    for (const body of (await bodiesOf(hook)).slice(1)) expect(body.data.origin).toBeUndefined();
  });

  it("sends an endpoint only the event types it listens for", async () => {
    const { owner, hook } = await orgWithEndpoint({ events: ["key.revoked"] });
    const everything = receiverEndpoint();
    await everything.configure({ secret: (await createEndpoint(owner, { url: everything.url })).secret! });
    const { key } = await createKey(owner);
    await call("POST", `/v1/keys/${key.id}/revoke`, { token: owner.token });
    await waitFor(async () => (await everything.received()).length === 2, "both events at the catch-all endpoint");
    await waitFor(async () => (await hook.received()).length === 1, "key.revoked");
    expect((await bodiesOf(hook)).map((b) => b.type)).toEqual(["key.revoked"]);
    expect((await bodiesOf(everything)).map((b) => b.type).sort()).toEqual(["key.created", "key.revoked"]);
  });

  it("retries an endpoint that answers 500 twice, then delivers: three attempts recorded, one webhook-id", async () => {
    const { owner, hook, endpoint } = await orgWithEndpoint({ behaviour: { failTimes: 2 } });
    await createKey(owner);
    await waitFor(async () => (await deliveriesOf(owner, endpoint.id))[0]?.status === "delivered", "the delivery", 45_000);
    const [summary] = await deliveriesOf(owner, endpoint.id);
    const delivery = await deliveryOf(owner, endpoint.id, summary!.id);
    expect(delivery).toMatchObject({ status: "delivered", attempts: 3, lastResponseStatus: 204, nextAttemptAt: null, eventType: "key.created" });
    expect(delivery.attemptLog!.map((a) => [a.n, a.responseStatus])).toEqual([
      [1, 500],
      [2, 500],
      [3, 204],
    ]);
    const received = await hook.received();
    expect(received.map((r) => r.answered)).toEqual([500, 500, 204]);
    expect(new Set(received.map((r) => r.id))).toEqual(new Set([delivery.eventId]));
    expect(received.every((r) => r.verified)).toBe(true);
  });

  it("marks a delivery failed through the dead-letter queue once every retry failed, and a resend then delivers it under the same webhook-id", async () => {
    const { owner, hook, endpoint } = await orgWithEndpoint({ behaviour: { status: 503 } });
    await createKey(owner);
    await waitFor(async () => (await deliveriesOf(owner, endpoint.id))[0]?.status === "failed", "the dead letter", 60_000);
    const [summary] = await deliveriesOf(owner, endpoint.id);
    const failed = await deliveryOf(owner, endpoint.id, summary!.id);
    // One attempt, then one per delay of WEBHOOK_RETRY_DELAYS; max_retries in wrangler.toml matches.
    expect(failed.attempts).toBe(RETRY_DELAYS.length + 1);
    expect(failed.attemptLog!.every((a) => a.responseStatus === 503)).toBe(true);
    expect(failed).toMatchObject({ status: "failed", nextAttemptAt: null, lastResponseStatus: 503 });

    await hook.configure({ status: 200 });
    const resent = await call("POST", `/v1/webhooks/${endpoint.id}/deliveries/${summary!.id}/resend`, { token: owner.token });
    expect(resent.status).toBe(202);
    expect(await resent.json()).toMatchObject({ id: summary!.id, status: "pending", attempts: RETRY_DELAYS.length + 1 });
    await waitFor(async () => (await deliveryOf(owner, endpoint.id, summary!.id)).status === "delivered", "the resend");
    const received = await hook.received();
    expect(received.at(-1)).toMatchObject({ answered: 200, verified: true, id: failed.eventId });
    expect(new Set(received.map((r) => r.body)).size, "the same body every time").toBe(1);
  });

  it("does not let a slow endpoint hold up another: the fast one is delivered while the slow one still waits", async () => {
    const owner = await admin(unique("org_slow"));
    const slow = receiverEndpoint("slow");
    const fast = receiverEndpoint("fast");
    // The slow endpoint first, so a consumer that went through a batch in order would meet it first.
    const slowEndpoint = await createEndpoint(owner, { url: slow.url });
    await slow.configure({ secret: slowEndpoint.secret!, hold: true });
    const fastEndpoint = await createEndpoint(owner, { url: fast.url });
    await fast.configure({ secret: fastEndpoint.secret! });
    await createKey(owner);
    await waitFor(async () => (await deliveriesOf(owner, fastEndpoint.id))[0]?.status === "delivered", "the fast delivery");
    // Meanwhile the slow endpoint holds its request: its attempt has not ended (a consumer that
    // waited for it first would have recorded its timeout before even trying the fast one).
    expect((await slow.received()).length, "the slow endpoint got its request").toBe(1);
    expect((await deliveriesOf(owner, slowEndpoint.id))[0]).toMatchObject({ status: "pending", attempts: 0 });
    await slow.release();
    await waitFor(async () => (await deliveriesOf(owner, slowEndpoint.id))[0]?.status === "delivered", "the slow delivery", 45_000);
  });

  it("counts an endpoint that does not answer within WEBHOOK_TIMEOUT_SECONDS as a failed attempt, and retries it", async () => {
    const { owner, hook, endpoint } = await orgWithEndpoint({ behaviour: { hold: true } });
    await createKey(owner);
    await waitFor(async () => ((await deliveriesOf(owner, endpoint.id))[0]?.attempts ?? 0) >= 1, "the first attempt");
    const [summary] = await deliveriesOf(owner, endpoint.id);
    const delivery = await deliveryOf(owner, endpoint.id, summary!.id);
    expect(delivery.attemptLog![0]).toMatchObject({ n: 1, responseStatus: null, error: `No answer within ${env.WEBHOOK_TIMEOUT_SECONDS} s.` });
    expect(delivery.status).toBe("retrying");
    await hook.release();
    await waitFor(async () => (await deliveriesOf(owner, endpoint.id))[0]?.status === "delivered", "a later attempt");
  });

  it("does not follow a redirect: a 3xx is a failed attempt", async () => {
    const { owner, endpoint } = await orgWithEndpoint({ behaviour: { status: 307 } });
    await createKey(owner);
    await waitFor(async () => ((await deliveriesOf(owner, endpoint.id))[0]?.attempts ?? 0) >= 1, "the first attempt");
    const [summary] = await deliveriesOf(owner, endpoint.id);
    const delivery = await deliveryOf(owner, endpoint.id, summary!.id);
    expect(delivery.attemptLog![0]).toMatchObject({ responseStatus: 307, error: "Redirects are not followed." });
    expect(delivery.status).not.toBe("delivered");
  });
});

describe("what webhooks cost and how they hold up", SLOW, () => {
  it("writes nothing to the webhook tables for an org without endpoints", async () => {
    const owner = await admin(unique("org_none"));
    const { key } = await createKey(owner);
    await call("POST", `/v1/keys/${key.id}/revoke`, { token: owner.token });
    const counts = await env.DB.batch([
      env.DB.prepare("SELECT count(*) AS n FROM audit_events WHERE org_id = ?").bind(owner.orgId),
      env.DB.prepare("SELECT count(*) AS n FROM webhook_outbox WHERE org_id = ?").bind(owner.orgId),
      env.DB.prepare("SELECT count(*) AS n FROM webhook_deliveries WHERE org_id = ?").bind(owner.orgId),
    ]);
    expect(counts.map((c) => (c.results[0] as { n: number }).n)).toEqual([2, 0, 0]);
  });

  it("owes nothing to a disabled endpoint", async () => {
    const { owner, hook, endpoint } = await orgWithEndpoint();
    expect((await call("PATCH", `/v1/webhooks/${endpoint.id}`, { token: owner.token, json: { enabled: false } })).status).toBe(200);
    await createKey(owner);
    expect(await env.DB.prepare("SELECT count(*) AS n FROM webhook_outbox WHERE org_id = ?").bind(owner.orgId).first("n")).toBe(0);
    expect(await deliveriesOf(owner, endpoint.id)).toEqual([]);
    expect(await hook.received()).toEqual([]);
  });

  it("delivers each event once per endpoint however often the fan-out is kicked", async () => {
    const { owner, hook, endpoint } = await orgWithEndpoint();
    const second = receiverEndpoint();
    await second.configure({ secret: (await createEndpoint(owner, { url: second.url })).secret! });
    const { key } = await createKey(owner);
    await Promise.all([
      ...Array.from({ length: 8 }, () => env.WEBHOOK_QUEUE.send({ kind: "fan_out" }, { contentType: "json" })),
      env.WEBHOOK_QUEUE.sendBatch(Array.from({ length: 8 }, () => ({ body: { kind: "fan_out" }, contentType: "json" as const }))),
    ]);
    await call("POST", `/v1/keys/${key.id}/revoke`, { token: owner.token });
    await waitFor(async () => (await hook.received()).length >= 2 && (await second.received()).length >= 2, "both events at both endpoints");
    // Give stray duplicates the time of one more batch to show up before counting.
    await env.WEBHOOK_QUEUE.send({ kind: "fan_out" }, { contentType: "json" });
    await waitFor(async () => (await env.DB.prepare("SELECT count(*) AS n FROM webhook_outbox").first("n")) === 0, "an empty outbox");
    for (const target of [hook, second]) {
      const ids = (await target.received()).map((r) => r.id);
      expect(ids).toHaveLength(2);
      expect(new Set(ids).size).toBe(2);
    }
    expect(await deliveriesOf(owner, endpoint.id)).toHaveLength(2);
  });

  it("delivers an event that a path appended without kicking (as the cron does), once the sweep runs", async () => {
    const { owner, hook } = await orgWithEndpoint({ events: ["key.expiring"] });
    const { key } = await createKey(owner);
    const id = `evt_expiring_7d_${key.id}`;
    await env.DB.prepare(
      `INSERT INTO audit_events (id, org_id, at, action, actor_type, actor_id, owner_id, key_id, detail)
       VALUES (?, ?, ?, 'key.expiring', 'system', 'cron', ?, ?, '{"window":"7d"}') ON CONFLICT DO NOTHING`,
    )
      .bind(id, owner.orgId, Date.now(), owner.userId, key.id)
      .run();
    expect(await env.DB.prepare("SELECT count(*) AS n FROM webhook_outbox WHERE event_id = ?").bind(id).first("n")).toBe(1);
    const worker = (await import("../../../worker/dev")).default;
    await worker.scheduled(createScheduledController({ scheduledTime: new Date(), cron: "*/5 * * * *" }), env);
    await waitFor(async () => (await hook.received()).length === 1, "key.expiring");
    const [body] = await bodiesOf(hook);
    WebhookMessageSchema.parse(body);
    expect(body).toMatchObject({ type: "key.expiring", data: { key: { id: key.id }, detail: { window: "7d" }, actor: { type: "system", id: "cron" } } });
  });

  it("stops sending to a deleted endpoint: its deliveries and attempts go with it", async () => {
    const { owner, endpoint } = await orgWithEndpoint({ behaviour: { status: 500 } });
    await createKey(owner);
    await waitFor(async () => ((await deliveriesOf(owner, endpoint.id))[0]?.attempts ?? 0) >= 1, "a failed attempt");
    expect((await call("DELETE", `/v1/webhooks/${endpoint.id}`, { token: owner.token })).status).toBe(204);
    const left = await env.DB.batch([
      env.DB.prepare("SELECT count(*) AS n FROM webhook_deliveries WHERE endpoint_id = ?").bind(endpoint.id),
      env.DB.prepare("SELECT count(*) AS n FROM webhook_attempts WHERE delivery_id LIKE 'whd_%' AND delivery_id NOT IN (SELECT id FROM webhook_deliveries)"),
    ]);
    expect(left.map((c) => (c.results[0] as { n: number }).n)).toEqual([0, 0]);
  });

  it("refuses a resend to a disabled endpoint with 409, and resends nothing", async () => {
    const { owner, hook, endpoint } = await orgWithEndpoint();
    await createKey(owner);
    await waitFor(async () => (await deliveriesOf(owner, endpoint.id))[0]?.status === "delivered", "the delivery");
    const [delivery] = await deliveriesOf(owner, endpoint.id);
    await call("PATCH", `/v1/webhooks/${endpoint.id}`, { token: owner.token, json: { enabled: false } });
    const res = await call("POST", `/v1/webhooks/${endpoint.id}/deliveries/${delivery!.id}/resend`, { token: owner.token });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { code: string }).code).toBe("webhook_endpoint_disabled");
    expect(await deliveryOf(owner, endpoint.id, delivery!.id)).toMatchObject({ status: "delivered", attempts: 1 });
    expect(await hook.received()).toHaveLength(1);
  });
});

describe("the sweep", SLOW, () => {
  it("restarts a delivery whose retry never came (its message lost), and the old sequence's message sends nothing", async () => {
    const { owner, hook, endpoint } = await orgWithEndpoint({ behaviour: { status: 500 } });
    await createKey(owner);
    await waitFor(async () => (await deliveriesOf(owner, endpoint.id))[0]?.status === "retrying", "a failed attempt");
    // Seen from later than its due time plus STUCK_AFTER_MS, the pending retry counts as lost.
    const report = await sweepWebhooks(env, Date.now() + STUCK_AFTER_MS + 60_000);
    expect(report.restarted).toBeGreaterThanOrEqual(1);
    await hook.configure({ status: 200 });
    await waitFor(async () => (await deliveriesOf(owner, endpoint.id))[0]?.status === "delivered", "the restarted delivery");
    // The first sequence's retry was still in the queue: give it its delay and a batch to arrive, then count.
    await new Promise((resolve) => setTimeout(resolve, Number(RETRY_DELAYS[0]) * 1000 + 2000));
    expect((await hook.received()).filter((r) => r.answered === 200)).toHaveLength(1);
  });

  it("deletes finished deliveries after 30 days, with their attempts", async () => {
    const { owner, endpoint } = await orgWithEndpoint();
    await createKey(owner);
    await waitFor(async () => (await deliveriesOf(owner, endpoint.id))[0]?.status === "delivered", "the delivery");
    const [delivery] = await deliveriesOf(owner, endpoint.id);
    await sweepWebhooks(env, Date.now() + DELIVERY_RETENTION_MS - 60_000);
    expect(await deliveriesOf(owner, endpoint.id)).toHaveLength(1);
    await sweepWebhooks(env, Date.now() + DELIVERY_RETENTION_MS + 60_000);
    expect(await deliveriesOf(owner, endpoint.id)).toEqual([]);
    expect(await env.DB.prepare("SELECT count(*) AS n FROM webhook_attempts WHERE delivery_id = ?").bind(delivery!.id).first("n")).toBe(0);
  });
});
