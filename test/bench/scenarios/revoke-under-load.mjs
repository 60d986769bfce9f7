import { randomInt } from "node:crypto";
import { log, sleep } from "../lib/log.mjs";
import { countStatuses, describeStatuses } from "../lib/stats.mjs";

const ROUNDS = 6;
const LOOPS = 8;
const ROUND_MS = 2_000;
const LOOP_PAUSE_MS = 1_000;
const AFTER_REVOKE_BURST = 2;

/**
 * SPEC §9 "zero admissions after revoke returns, under concurrent load". Each round takes a
 * fresh key and runs 8 request loops on it (staggered; each loop waits for its answer, then
 * pauses 1 s, so the key never exceeds 8 admissions per second); mid-round it revokes the key
 * and, the instant the revoke answers, sends 2 more requests. Every request sent after that
 * instant would have been admitted had the key still been active; none may be.
 *
 * @example
 * const { rows, notes } = await revokeUnderLoad(ctx);
 */
export async function revokeUnderLoad({ api }) {
  const token = await api.signIn("u_bench_revoke", "org_bench_revoke");
  const after = [];
  let admittedBefore = 0;
  let limitedBefore = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    const outcome = await runRound(api, token, round);
    after.push(...outcome.after);
    admittedBefore += outcome.admittedBefore;
    limitedBefore += outcome.limitedBefore;
  }
  const counts = countStatuses(after);
  const leaked = counts[200] ?? 0;
  const notes = [
    `Revoke under load: ${ROUNDS} rounds, each on a fresh key with ${LOOPS} staggered request loops (each waits for its answer, then pauses ${LOOP_PAUSE_MS / 1000} s) and ${AFTER_REVOKE_BURST} extra requests fired the instant the revoke answered; ` +
      `the load is paced to stay within the key's limits (${limitedBefore} × 429 seen before the revoke), so every request sent after it would have been admitted by a live key. ` +
      `${admittedBefore} requests were admitted before the revoke answered.`,
  ];
  return {
    rows: [
      {
        measure: `revoke under load: 200s among requests sent after revoke returned (${ROUNDS} rounds)`,
        result: `${leaked} of ${after.length} (${describeStatuses(counts, [401])})`,
        target: "0",
        met: leaked === 0 && after.length > 0,
      },
    ],
    notes,
  };
}

/**
 * One round: a fresh key under paced load, `revoke(id, secret)` at a random moment mid-round,
 * and 2 requests fired the instant it resolves. Returns the requests sent after that instant,
 * how many were admitted and limited before it, and how long `revoke` took.
 *
 * @example
 * const outcome = await runRound(api, token, 1, (id) => api.revokeKey(token, id));
 */
export async function runRound(api, token, round, revokeKey = (id) => api.revokeKey(token, id), label = "revoke") {
  const { id, secret } = await api.createKey(token, `bench: ${label} round ${round}`);
  const results = [];
  const roundStart = performance.now();
  const send = async () => results.push(await api.timed("/api/whoami", secret));

  const loops = Array.from({ length: LOOPS }, async (_, i) => {
    await sleep((i * LOOP_PAUSE_MS) / LOOPS);
    while (performance.now() - roundStart < ROUND_MS) {
      await send();
      await sleep(Math.min(LOOP_PAUSE_MS, roundStart + ROUND_MS - performance.now()));
    }
  });
  const revoke = (async () => {
    await sleep(300 + randomInt(800));
    const calledAt = performance.now();
    await revokeKey(id, secret);
    const returnedAt = performance.now();
    await Promise.all(Array.from({ length: AFTER_REVOKE_BURST }, send));
    return [returnedAt, returnedAt - calledAt];
  })();
  const [[revokedAt, revokeMs]] = await Promise.all([revoke, ...loops]);

  const after = results.filter((r) => r.sentAt > revokedAt);
  const before = results.filter((r) => r.receivedAt < revokedAt);
  const outcome = {
    after,
    admittedBefore: before.filter((r) => r.status === 200).length,
    limitedBefore: before.filter((r) => r.status === 429).length,
    revokeMs,
  };
  log(`${label} round ${round}: ${label} answered at ${Math.round(revokedAt - roundStart)} ms; after it: ${describeStatuses(countStatuses(after), [401])}`);
  return outcome;
}
