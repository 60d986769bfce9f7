import type { ReactiveController, ReactiveControllerHost } from "lit";
import type { ApiClient } from "./api-client";
import type { ApiKey, KeyStatus } from "./types";
import type { ListState } from "./views/list-view";

/**
 * The list of keys as the element shows it: the current filter, the pages loaded so far, and
 * whether loading is under way or failed. Changes re-render the host.
 *
 * @example
 * private readonly keys = new KeyListController(this, () => this.api(), (e) => this.fail(e));
 * await this.keys.load();
 */
export class KeyListController implements ReactiveController {
  state: ListState = { keys: [], loading: "loading", filter: "", nextCursor: null, loadingMore: false };
  /** Counts loads: only the latest one's answer is shown (a new user's or filter's load supersedes an earlier one still under way). */
  private loads = 0;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly api: () => ApiClient,
    private readonly onError: (error: unknown) => void,
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  /** Loads the first page for the current filter, and the canary keys apart. */
  async load(): Promise<void> {
    const load = ++this.loads;
    this.set({ loading: "loading", keys: [], nextCursor: null });
    try {
      // Canary keys are read apart (their first 100), so they are listed whatever page they fall on.
      const status = this.state.filter || undefined;
      const [page, decoys] = await Promise.all([this.api().list({ status, canary: false }), this.api().list({ status, canary: true, limit: 100 })]);
      const keys = [...page.keys.filter((k) => !k.canary), ...decoys.keys.filter((k) => k.canary)];
      if (load === this.loads) this.set({ loading: "ready", keys, nextCursor: page.nextCursor });
    } catch (error) {
      if (load !== this.loads) return;
      this.set({ loading: "error" });
      this.onError(error);
    }
  }

  async loadMore(): Promise<void> {
    this.set({ loadingMore: true });
    try {
      const page = await this.api().list({ status: this.state.filter || undefined, cursor: this.state.nextCursor, canary: false });
      this.set({ keys: [...this.state.keys, ...page.keys], nextCursor: page.nextCursor, loadingMore: false });
    } catch (error) {
      this.set({ loadingMore: false });
      this.onError(error);
    }
  }

  setFilter(filter: KeyStatus | ""): void {
    this.set({ filter });
    void this.load();
  }

  /** Puts a new key at the top (newest first). */
  prepend(key: ApiKey): void {
    this.set({ loading: "ready", keys: [key, ...this.state.keys] });
  }

  /** Shows a key's new state (revoked, rotated, used) in its row. */
  replace(key: ApiKey): void {
    this.set({ keys: this.state.keys.map((k) => (k.id === key.id ? key : k)) });
  }

  private set(patch: Partial<ListState>): void {
    this.state = { ...this.state, ...patch };
    this.host.requestUpdate();
  }
}
