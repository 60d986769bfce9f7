import { sleep } from "./log.mjs";

const BURST_QUOTA = 10;
const BURST_WINDOW_MS = 1_000;
const MINUTE_QUOTA = 100;

/**
 * Hands out keys so that none is ever rate-limited: a key is lent only while fewer than 10 of
 * its uses are in flight or were answered within the last second (a use's admission lies
 * between its send and its answer, so this keeps every key under 10 per sliding second), and
 * at most 100 times in all (the pool lives less than a minute). When every key is busy,
 * `use()` waits and counts the wait.
 *
 * @example
 * const keys = createKeyPool(secrets);
 * const result = await keys.use((secret) => api.timed("/api/whoami", secret));
 */
export function createKeyPool(secrets) {
  const keys = secrets.map((secret) => ({ secret, recent: [], inFlight: 0, uses: 0 }));
  let cursor = 0;
  let waits = 0;

  function available(key, now) {
    while (key.recent.length > 0 && key.recent[0] <= now - BURST_WINDOW_MS) key.recent.shift();
    return key.uses < MINUTE_QUOTA && key.inFlight + key.recent.length < BURST_QUOTA;
  }

  function take() {
    const now = performance.now();
    for (let i = 0; i < keys.length; i++) {
      const key = keys[(cursor + i) % keys.length];
      if (available(key, now)) {
        cursor = (cursor + i + 1) % keys.length;
        return key;
      }
    }
    return null;
  }

  async function run(key, task) {
    key.inFlight++;
    key.uses++;
    try {
      return await task(key.secret);
    } finally {
      key.inFlight--;
      key.recent.push(performance.now());
    }
  }

  return {
    /** Runs `task(secret)` with a key that has quota left, waiting for one if none has. */
    async use(task) {
      let key = take();
      while (!key) {
        waits++;
        await sleep(1);
        key = take();
      }
      return run(key, task);
    },

    /**
     * Runs `task(secret)` once with every key, one after another. A key's first use may wake its
     * Durable Object and load the key from D1 (creating a key no longer places its object: issue
     * 12), so a scenario that measures the steady state uses every key once before it measures.
     */
    async useEach(task) {
      for (const key of keys) await run(key, task);
    },

    /** How often a caller had to wait because every key was at its quota. */
    get waits() {
      return waits;
    },
  };
}
