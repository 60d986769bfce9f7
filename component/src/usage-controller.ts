import type { ReactiveControllerHost } from "lit";
import type { ApiClient } from "./api-client";
import type { Usage } from "./types";

/** How many usage requests may be in flight at once: a list shows ~30 rows, and the API has other work too. */
export const USAGE_REQUESTS_IN_FLIGHT = 4;

/**
 * The last 24 hours of usage (hour buckets) of each key a row shows, for its sparkline and the
 * "Hitting its limit" hint. A row asks with `get(id)` while it renders, so only rendered rows
 * cost a request. At most {@link USAGE_REQUESTS_IN_FLIGHT} are in flight: a row that asks while
 * they are gets nothing yet, and asks again when the next answer re-renders the host (a row
 * scrolled away meanwhile no longer asks). Kept per key for the element's life, until `clear()`
 * (a fresh load). A failed fetch is kept as null: its row shows nothing.
 *
 * @example
 * private readonly usage = new UsageController(this, () => this.api());
 * const usage = this.usage.get(key.id); // undefined until it has loaded
 */
export class UsageController {
  private cache = new Map<string, Usage | null | undefined>();
  private inFlight = 0;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly api: () => ApiClient,
  ) {}

  /** The key's usage: undefined until it has loaded (asking for it), null when it could not be had. */
  get(id: string): Usage | null | undefined {
    const { cache } = this;
    if (!cache.has(id) && this.inFlight < USAGE_REQUESTS_IN_FLIGHT) {
      this.inFlight++;
      cache.set(id, undefined);
      const done = (usage: Usage | null) => {
        cache.set(id, usage);
        this.inFlight--;
        this.host.requestUpdate();
      };
      // A body without buckets (say, a proxy's answer) counts as a failure too.
      this.api()
        .usage(id, "24h")
        .then((usage) => done(usage.buckets ? usage : null), () => done(null));
    }
    return cache.get(id);
  }

  /** Forgets every key's usage; answers still on their way are dropped. */
  clear(): void {
    this.cache = new Map();
  }
}
