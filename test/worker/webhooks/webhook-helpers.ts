import { env } from "cloudflare:workers";
import { inject } from "vitest";
import { ADMIN_TOKEN, admin, call, unique, type TestUser } from "../helpers/api";

/** The real HTTP receiver started by receiver.global.ts. */
const RECEIVER = inject("webhookReceiver");

/** One webhook as the receiver got it (its `verified`: the `standardwebhooks` package accepted the signature). */
export interface ReceivedWebhook {
  id: string | null;
  timestamp: string | null;
  signature: string | null;
  verified: boolean;
  verifyError: string | null;
  body: string;
  answered: number;
}

/** How a receiver endpoint answers. */
export interface ReceiverBehaviour {
  secret?: string;
  failTimes?: number;
  status?: number;
  hold?: boolean;
}

/**
 * One endpoint path of the receiving server, unique to the test.
 *
 * @example
 * const hook = receiverEndpoint();
 * await hook.configure({ secret, failTimes: 2 });
 * await waitFor(async () => (await hook.received()).length === 3);
 */
export function receiverEndpoint(label = "hook") {
  const name = unique(label).replace(/[^A-Za-z0-9_-]/g, "_");
  const control = `${RECEIVER}/control/${name}`;
  return {
    url: `${RECEIVER}/hooks/${name}`,
    async configure(behaviour: ReceiverBehaviour & { release?: boolean }): Promise<void> {
      const res = await fetch(control, { method: "POST", body: JSON.stringify(behaviour) });
      if (!res.ok) throw new Error(`receiver control: ${res.status}`);
    },
    async received(): Promise<ReceivedWebhook[]> {
      return ((await (await fetch(control)).json()) as { received: ReceivedWebhook[] }).received;
    },
    release(): Promise<void> {
      return this.configure({ release: true });
    },
  };
}

/**
 * Polls `check` until it holds, at most `deadlineMs` (the queue works asynchronously: a few
 * seconds per step locally). Throws with `what` when the deadline passes.
 *
 * @example
 * await waitFor(async () => (await hook.received()).length > 0, "the first webhook");
 */
export async function waitFor(check: () => Promise<boolean>, what: string, deadlineMs = 30_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The Endpoint object of the API, with the secret of a create. */
export interface EndpointJson {
  id: string;
  url: string;
  events: string[];
  description: string | null;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
  secret?: string;
}

/** The Delivery object of the API (with attemptLog when read one by one). */
export interface DeliveryJson {
  id: string;
  eventId: string;
  eventType: string;
  status: "pending" | "delivered" | "retrying" | "failed";
  attempts: number;
  lastAttemptAt: string | null;
  lastResponseStatus: number | null;
  nextAttemptAt: string | null;
  createdAt: string;
  attemptLog?: { n: number; at: string; responseStatus: number | null; durationMs: number; error: string | null }[];
}

/** An org admin whose org has one endpoint pointing at a fresh receiver path that verifies with its secret. */
export async function orgWithEndpoint(options: { events?: string[]; behaviour?: ReceiverBehaviour; orgId?: string } = {}) {
  const owner = await admin(options.orgId ?? unique("org_wh"));
  const hook = receiverEndpoint();
  const endpoint = await createEndpoint(owner, { url: hook.url, ...(options.events ? { events: options.events } : {}) });
  await hook.configure({ secret: endpoint.secret!, ...options.behaviour });
  return { owner, hook, endpoint };
}

/** POST /v1/webhooks as an admin; throws unless 201. */
export async function createEndpoint(owner: TestUser, json: Record<string, unknown>): Promise<EndpointJson> {
  const res = await call("POST", "/v1/webhooks", { token: owner.token, json });
  if (res.status !== 201) throw new Error(`create endpoint: ${res.status} ${await res.text()}`);
  return res.json();
}

/** The endpoint's deliveries, newest first (first page). */
export async function deliveriesOf(owner: TestUser, endpointId: string): Promise<DeliveryJson[]> {
  const res = await call("GET", `/v1/webhooks/${endpointId}/deliveries`, { token: owner.token });
  if (res.status !== 200) throw new Error(`deliveries: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { deliveries: DeliveryJson[] }).deliveries;
}

/** One delivery with its attempt log. */
export async function deliveryOf(owner: TestUser, endpointId: string, deliveryId: string): Promise<DeliveryJson> {
  const res = await call("GET", `/v1/webhooks/${endpointId}/deliveries/${deliveryId}`, { token: owner.token });
  if (res.status !== 200) throw new Error(`delivery: ${res.status} ${await res.text()}`);
  return res.json();
}

/** The webhook bodies a receiver got, parsed. */
export async function bodiesOf(hook: ReturnType<typeof receiverEndpoint>): Promise<{ type: string; timestamp: string; data: Record<string, unknown> }[]> {
  return (await hook.received()).map((r) => JSON.parse(r.body));
}

/** Rows of the webhook tables, for "nothing changed" checks. */
export async function snapshotWebhookTables(): Promise<string> {
  const tables = ["webhook_endpoints", "webhook_outbox", "webhook_deliveries", "webhook_attempts"];
  const rows = await Promise.all(tables.map((t) => env.DB.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).all()));
  return JSON.stringify(rows.map((r) => r.results));
}

/** The admin API's copy of a webhook route. */
export function adminCall(method: string, path: string, json?: unknown): Promise<Response> {
  return call(method, `/v1/admin${path}`, { token: ADMIN_TOKEN, json });
}
