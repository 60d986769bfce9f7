import { pool } from "../lib/client.mjs";
import { forgedKey, spreadAddress } from "../lib/key-format.mjs";
import { log, sleep } from "../lib/log.mjs";
import { countStatuses, describeStatuses } from "../lib/stats.mjs";

const BURST = 15;
const PACED = 40;
const PACED_INTERVAL_MS = 200; // 5 per second: half the key's 10/s, so client jitter never reaches it
const FLOOD_CONCURRENCY = 16;
const ATTACKER = spreadAddress(60_000);
const HONEST = spreadAddress(60_001);

/**
 * Issue 8's failed-auth flood: one address floods forged keys while a valid key is used from
 * another address, first alone, then during the flood. The valid key's admissions must not
 * change (a burst of 15 admits exactly 10; 40 requests at 5/s all pass), and the attacker must
 * be throttled (429 `too_many_failed_attempts`) after its allowance of 401s.
 *
 * @example
 * const { rows, notes } = await failedAuthFlood(ctx);
 */
export async function failedAuthFlood({ api }) {
  const token = await api.signIn("u_bench_flood", "org_bench_flood");
  const [alone, during] = [await api.createKey(token, "bench: flood baseline"), await api.createKey(token, "bench: flood target")];

  log("failed-auth flood: valid key alone");
  const baseline = await useValidKey(api, alone.secret);

  log(`failed-auth flood: valid key while ${ATTACKER} floods forged keys`);
  let flooding = true;
  const attack = [];
  const flood = Promise.all(
    Array.from({ length: FLOOD_CONCURRENCY }, async () => {
      while (flooding) attack.push(await api.timed("/api/whoami", forgedKey(), { address: ATTACKER }));
    }),
  );
  await sleep(500); // the flood is under way (and the address throttled) before the key is used
  const flooded = await useValidKey(api, during.secret);
  flooding = false;
  await flood;

  const attackCounts = countStatuses(attack);
  const throttled = attack.filter((r) => r.status === 429 && r.body.includes('"too_many_failed_attempts"')).length;
  const same = baseline.burst === flooded.burst && baseline.paced === flooded.paced;
  return {
    rows: [
      {
        measure: "failed-auth flood from one address, valid key from another: valid key's admissions",
        result: `burst of ${BURST}: ${baseline.burst} admitted alone, ${flooded.burst} during the flood; ${PACED} at 5/s: ${baseline.paced} alone, ${flooded.paced} during`,
        target: "unchanged (10 and 40)",
        met: same && flooded.burst === 10 && flooded.paced === PACED,
      },
      {
        measure: "failed-auth flood: the attacker's answers",
        result: `${describeStatuses(attackCounts, [401, 429])} (${throttled} too_many_failed_attempts)`,
        target: "401s until throttled, then 429",
        met: (attackCounts[401] ?? 0) > 0 && throttled > 0 && (attackCounts[401] ?? 0) + throttled === attack.length,
      },
    ],
    notes: [
      `Failed-auth flood: ${FLOOD_CONCURRENCY} requests in flight of forged keys from ${ATTACKER} for as long as the valid key is used from ${HONEST}. ` +
        "The throttle is Cloudflare's Rate Limiting binding (AUTH_FAILURE_LIMITER, 50 failures per 60 s per address by default) as `wrangler dev` runs it locally.",
    ],
  };
}

async function useValidKey(api, secret) {
  const burst = await Promise.all(Array.from({ length: BURST }, () => api.timed("/api/whoami", secret, { address: HONEST })));
  await sleep(1100); // the burst's second is over; the 60-s window holds 10
  const paced = [];
  for (let i = 0; i < PACED; i++) {
    paced.push(api.timed("/api/whoami", secret, { address: HONEST }));
    await sleep(PACED_INTERVAL_MS);
  }
  const settled = await Promise.all(paced);
  return { burst: countStatuses(burst)[200] ?? 0, paced: countStatuses(settled)[200] ?? 0 };
}
