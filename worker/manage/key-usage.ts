import type { Principal } from "../auth/principal";
import { authorityFor } from "../authority/key-authority-client";
import type { UsageReport } from "../authority/key-authority";
import { KeyStore } from "../keys/key-store";
import type { KeyUsageView, UsageQuery } from "../keys/usage-schemas";
import { DEFAULT_RESOLUTION, denseBuckets, totalsOf, type UsageResolution, usageSpan, type UsageWindow } from "../keys/usage-window";
import type { RefusalOf } from "./key-service";
import { findVisibleKey } from "./visible-key";

/** What {@link readKeyUsage} answers. */
export type UsageOutcome = { ok: true; usage: KeyUsageView } | RefusalOf<"not_found" | "usage_unavailable">;

/**
 * One key's usage for `GET /v1/keys/{id}/usage`, with the visibility of `GET /v1/keys/{id}`: the
 * key's owner, or an admin of its org; anything else is the same `not_found`. The counts come
 * from the key chain's Durable Object, which counts every answer to the key's right secret and
 * keeps them per key id, so a rotated key and its successor each report their own requests. A
 * key no object holds yet (D1's `placed_at` is null: no request has used it) has no counts, and
 * is answered with zeros without asking, since asking would create its object here, near the
 * admin, instead of near its first use. Once placed, D1 cannot stand in for the object (it holds
 * no counts, and its last use lags), so when the object does not answer the outcome is
 * `usage_unavailable`.
 *
 * @example
 * const outcome = await readKeyUsage(env, principal, id, { window: "7d" });
 * if (outcome.ok) return c.json(outcome.usage, 200);
 */
export async function readKeyUsage(env: Env, principal: Principal, id: string, query: UsageQuery): Promise<UsageOutcome> {
  const record = await findVisibleKey(new KeyStore(env.DB), principal, id);
  if (!record) return { ok: false, reason: "not_found" };
  const resolution = query.resolution ?? DEFAULT_RESOLUTION[query.window];
  let report: UsageReport;
  if (record.placedAt === null) {
    const span = usageSpan(query.window, resolution, Date.now());
    const buckets = denseBuckets(span, []);
    return { ok: true, usage: toUsageView(id, query.window, resolution, { span, buckets, totals: totalsOf(buckets), lastUsedAt: record.lastUsedAt }) };
  }
  try {
    report = await authorityFor(env, id).usage(id, query.window, resolution);
  } catch (error) {
    console.error(`usage unavailable for ${id}: ${(error as Error).message}`);
    return { ok: false, reason: "usage_unavailable" };
  }
  // The object's last use is exact; D1's copy can only be older, unless the object lost it.
  const lastUsedAt = Math.max(report.lastUsedAt ?? 0, record.lastUsedAt ?? 0) || null;
  return { ok: true, usage: toUsageView(id, query.window, resolution, { ...report, lastUsedAt }) };
}

function toUsageView(keyId: string, window: UsageWindow, resolution: UsageResolution, report: UsageReport): KeyUsageView {
  const { span } = report;
  return {
    keyId,
    window,
    resolution,
    bucketSeconds: span.bucketMs / 1000,
    from: iso(span.from),
    to: iso(span.to),
    buckets: report.buckets.map((b) => ({ start: iso(b.start), admitted: b.admitted, rateLimited: b.rateLimited, refused: b.refused })),
    totals: report.totals,
    lastUsedAt: report.lastUsedAt === null ? null : iso(report.lastUsedAt),
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
