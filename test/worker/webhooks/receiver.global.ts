import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import type { TestProject } from "vitest/node";

/*
 * A real HTTP server that receives the Worker's webhooks during the Worker tests (a vitest
 * globalSetup: it runs in Node, outside workerd). Every path `/hooks/{name}` is an endpoint whose
 * behaviour a test sets through `/control/{name}`; each webhook is checked with the
 * `standardwebhooks` package, an implementation independent of the Worker's, and recorded.
 */

/** How one endpoint behaves, as a test configures it. */
interface Behaviour {
  /** The signing secret the endpoint verifies with (whsec_…). */
  secret: string | null;
  /** Answer 500 to this many webhooks first. */
  failTimes: number;
  /** Answer this status to every webhook (after failTimes). */
  status: number;
  /** Hold every answer until the test releases the endpoint (a slow endpoint). */
  hold: boolean;
}

/** One webhook as the endpoint received it. */
interface Received {
  id: string | null;
  timestamp: string | null;
  signature: string | null;
  /** Whether `standardwebhooks` accepted the signature with the endpoint's secret. */
  verified: boolean;
  verifyError: string | null;
  body: string;
  answered: number;
}

interface Endpoint {
  behaviour: Behaviour;
  received: Received[];
  /** Answers held back, waiting for a release. */
  held: (() => void)[];
}

const endpoints = new Map<string, Endpoint>();

function endpoint(name: string): Endpoint {
  let found = endpoints.get(name);
  if (!found) {
    found = { behaviour: { secret: null, failTimes: 0, status: 204, hold: false }, received: [], held: [] };
    endpoints.set(name, found);
  }
  return found;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(value));
}

async function receive(name: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const target = endpoint(name);
  const body = await readBody(req);
  const header = (n: string) => (typeof req.headers[n] === "string" ? (req.headers[n] as string) : null);
  const headers = { "webhook-id": header("webhook-id") ?? "", "webhook-timestamp": header("webhook-timestamp") ?? "", "webhook-signature": header("webhook-signature") ?? "" };
  let verified = false;
  let verifyError: string | null = "no secret configured";
  if (target.behaviour.secret) {
    try {
      new Webhook(target.behaviour.secret).verify(body, headers);
      verified = true;
      verifyError = null;
    } catch (error) {
      verifyError = (error as Error).message;
    }
  }
  const failing = target.behaviour.failTimes > 0;
  if (failing) target.behaviour.failTimes -= 1;
  const status = failing ? 500 : target.behaviour.status;
  const record: Received = { id: header("webhook-id"), timestamp: header("webhook-timestamp"), signature: header("webhook-signature"), verified, verifyError, body, answered: status };
  target.received.push(record);
  if (target.behaviour.hold) await new Promise<void>((resolve) => target.held.push(resolve));
  if (res.destroyed) return;
  res.writeHead(status, status >= 300 && status < 400 ? { Location: "http://127.0.0.1:1/" } : {});
  res.end("ok");
}

async function control(name: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const target = endpoint(name);
  if (req.method === "GET") return json(res, 200, { received: target.received });
  const update = JSON.parse((await readBody(req)) || "{}") as Partial<Behaviour> & { release?: boolean };
  if (update.release) {
    target.behaviour.hold = false;
    for (const resolve of target.held.splice(0)) resolve();
  }
  const { release: _release, ...behaviour } = update;
  Object.assign(target.behaviour, behaviour);
  return json(res, 200, target.behaviour);
}

/** Starts the receiver on a free port of 127.0.0.1 and provides its URL to the tests (`webhookReceiver`, typed in test/worker/env.d.ts). */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = createServer((req, res) => {
    const match = /^\/(hooks|control)\/([A-Za-z0-9_-]{1,100})$/.exec(req.url ?? "");
    if (!match) return json(res, 404, { error: "no such path" });
    const handler = match[1] === "hooks" ? receive : control;
    handler(match[2]!, req, res).catch((error: unknown) => json(res, 500, { error: String(error) }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  project.provide("webhookReceiver", `http://127.0.0.1:${port}`);
  return async () => {
    for (const target of endpoints.values()) for (const resolve of target.held.splice(0)) resolve();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
}
