import type { AxeResults, RunOptions } from "axe-core";
import { expect } from "@esm-bundle/chai";
import { executeServerCommand } from "@web/test-runner-commands";
import "../../component/src/index";
import type { ApiKeysSettings } from "../../component/src/api-keys-settings";
import type { ApiKey } from "../../component/src/types";

declare global {
  interface Window {
    WORKER_URL: string;
    /** axe-core, loaded by the test page (web-test-runner.config.mjs): it ships as UMD only. */
    axe: { run: (context: Element, options: RunOptions) => Promise<AxeResults> };
  }
}

/** The real Worker started for this run by web-test-runner.config.mjs. */
export const WORKER = window.WORKER_URL;

/** Mounts a fresh element with the given properties and waits for its first render. */
export async function mount(props: Partial<ApiKeysSettings> = {}): Promise<ApiKeysSettings> {
  document.body.replaceChildren();
  const el = document.createElement("api-keys-settings");
  Object.assign(el, props);
  document.body.append(el);
  await el.updateComplete;
  return el;
}

/** Waits until `predicate` holds (re-rendering between tries), or fails after `timeout` ms. */
export async function until(predicate: () => unknown, what: string, timeout = 8000): Promise<void> {
  const end = performance.now() + timeout;
  while (!predicate()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The element's shadow root. */
export function shadow(el: ApiKeysSettings): ShadowRoot {
  return el.shadowRoot!;
}

/** A button in the element by its visible text (or accessible name). */
export function button(el: ApiKeysSettings, text: string | RegExp): HTMLButtonElement {
  const found = [...shadow(el).querySelectorAll("button")].find((b) => {
    const label = b.getAttribute("aria-label") ?? b.textContent!.trim();
    return typeof text === "string" ? label === text : text.test(label);
  });
  if (!found) throw new Error(`no button "${text}"`);
  return found;
}

/** The open dialog once its part has arrived (not while it says "Loading…"), or null. */
export function openDialog(el: ApiKeysSettings): HTMLDialogElement | null {
  const dialog = shadow(el).querySelector("dialog");
  return dialog?.open && !dialog.querySelector("[data-loading]") ? dialog : null;
}

/** Runs axe-core on the element (its shadow DOM included) and fails on any violation. */
export async function expectAccessible(el: ApiKeysSettings, state: string): Promise<void> {
  await el.updateComplete;
  const results = await window.axe.run(el, { resultTypes: ["violations"] });
  const summary = results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
  expect(summary, `axe violations in state "${state}"`).to.deep.equal([]);
}

/** Calls GET /api/whoami with a key from the test runner's Node process (as an integration would); returns the status. */
export function useKey(secret: string): Promise<number> {
  return executeServerCommand<number, string>("use-key", secret) as Promise<number>;
}

/** Calls GET /api/whoami with a key from Node; returns the status and the body (the key's effective permissions…). */
export function whoami(secret: string): Promise<{ status: number; body: { key: { id: string; name: string }; permissions: string[] } }> {
  return executeServerCommand("whoami", secret) as never;
}

/** Reports a key as found in public through the Worker's HMAC-signed POST /v1/leaks (signed in Node, where the secret is). */
export function reportLeak(token: string, url: string): Promise<{ status: number; body: { label: string }[] }> {
  return executeServerCommand("report-leak", { token, url }) as never;
}

/** Sets an org's leak policy through the admin API (`revoke` or `flag`); returns the status. */
export function setLeakPolicy(orgId: string, leakPolicy: "revoke" | "flag"): Promise<number> {
  return executeServerCommand("set-leak-policy", { orgId, leakPolicy }) as Promise<number>;
}

/** Sets an org's whole policy document through the admin API (`PUT /v1/admin/orgs/{orgId}/policy`); returns the status and body. */
export function setOrgPolicy(orgId: string, policy: Record<string, unknown>): Promise<{ status: number; body: unknown }> {
  return executeServerCommand("set-org-policy", { orgId, policy }) as never;
}

/** Sends `count` key-authenticated requests at once from Node; returns their statuses (over 10 in a second get 429). */
export function useKeyBurst(secret: string, count: number): Promise<number[]> {
  return executeServerCommand("use-key-burst", { secret, count }) as Promise<number[]>;
}

/** Signs a demo user in through the Worker's local-only POST /dev/session. */
export async function signIn(user: { userId: string; orgId: string; name?: string; permissions?: string[] }): Promise<string> {
  const response = await fetch(`${WORKER}/dev/session`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ permissions: ["contacts:read"], ...user }),
  });
  if (!response.ok) throw new Error(`sign-in failed: ${response.status}`);
  return ((await response.json()) as { token: string }).token;
}

/** Mounts the element for a fresh user of the real Worker (a new org unless given one), once its first load is done. */
export async function asNewUser(permissions = ["contacts:read"], orgId = unique("org")) {
  const userId = unique("user");
  const token = await signIn({ userId, orgId, name: `User ${userId}`, permissions });
  const el = await mount({ apiBase: WORKER, token });
  await until(() => shadow(el).querySelector("[part=empty], [part=table]"), "first load");
  return { el, token, userId, orgId };
}

/** Calls the management API as `token`; returns the status and the JSON body. */
export async function callApi<T = Record<string, never>>(token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${WORKER}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}

/** Creates a key through the API (not the element): `name` and any other field of the create body. */
export async function createThroughApi(
  token: string,
  name: string,
  extra: { expiresAt?: string; scopes?: string[]; region?: string; allowedIps?: string[]; description?: string; meta?: Record<string, unknown>; canary?: boolean } = {},
) {
  return (await callApi<{ key: ApiKey; secret: string }>(token, "POST", "/v1/keys", { name, ...extra })).body;
}

let counter = 0;
/** An id no other test uses. */
export function unique(label: string): string {
  counter += 1;
  return `${label}_${Date.now().toString(36)}_${counter}`;
}

/** A key object as the API would return it, for stubbed responses. */
export function fakeKey(overrides: Partial<ApiKey> = {}): ApiKey {
  const now = new Date().toISOString();
  return {
    id: unique("k").replace(/_/g, "").slice(0, 16).padEnd(16, "0"),
    name: "CRM Integration",
    hint: "ak_live_AbCd…wXyZ",
    createdAt: now,
    createdBy: { id: "u1", name: "Ada" },
    lastUsedAt: null,
    expiresAt: null,
    revokedAt: null,
    status: "active",
    scopes: null,
    rotatedFromId: null,
    rotatedToId: null,
    rotationRequiresOwner: false,
    region: null,
    leak: null,
    allowedIps: null,
    ...overrides,
  };
}

/** Replaces window.fetch for one test: `respond` answers each call. Returns the calls made. */
export function stubFetch(respond: (url: string, init?: RequestInit) => Response | Promise<Response>): { calls: string[]; restore: () => void } {
  const original = window.fetch;
  const calls: string[] = [];
  window.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input instanceof Request ? input.url : input);
    calls.push(`${init?.method ?? "GET"} ${url}`);
    return respond(url, init);
  };
  return { calls, restore: () => (window.fetch = original) };
}

export { expect };
