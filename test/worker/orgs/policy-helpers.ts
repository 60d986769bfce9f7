import { expect } from "vitest";
import { ADMIN_TOKEN, call } from "../helpers/api";

/** Sets an org's whole policy through the admin API; throws unless it was stored. */
export async function setPolicy(orgId: string, json: Record<string, unknown>): Promise<void> {
  const res = await call("PUT", `/v1/admin/orgs/${encodeURIComponent(orgId)}/policy`, { json, headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
  expect(res.status, await res.clone().text()).toBe(200);
}

/** The org's stored policy as the admin API answers it (for before/after comparisons). */
export async function storedPolicy(orgId: string): Promise<unknown> {
  const res = await call("GET", `/v1/admin/orgs/${encodeURIComponent(orgId)}/policy`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
  return res.json();
}

export const DAY_MS = 86_400_000;
