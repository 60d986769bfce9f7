import type { ReactiveController, ReactiveControllerHost } from "lit";
import type { ApiClient } from "./api-client";
import type { KeyListController } from "./key-list-controller";
import type { ApiKey } from "./types";
import type { RotateState } from "./views/rotate-view";

/** What the wizard needs from the element, handed over as functions so they stay private to it. */
export interface RotationOptions {
  /** A client with the current token. */
  api: () => ApiClient;
  /** The list that shows the successor, the rotated and the revoked key. */
  keys: KeyListController;
  /** Milliseconds between step 3's checks (the element's `verifyInterval`, or its default when that is not a positive number). */
  interval: () => number;
  /** Reports a failed call (the `api-keys-error` event, and the live region when `announce`); returns its sentence. */
  fail: (error: unknown, announce?: boolean) => string;
  /** Announces "{name} was rotated." or "{name} was revoked." in the live region. */
  announce: (key: "rotatedAnnounce" | "revokedAnnounce", name: string) => void;
  /** The successor was issued: the element fires `api-key-rotated`. */
  rotated: (key: ApiKey, previous: ApiKey) => void;
  /** The old key was revoked: the element fires `api-key-revoked`. */
  revoked: (key: ApiKey) => void;
  /** The wizard is done (the old key revoked): the element closes the dialog. */
  done: () => void;
}

/**
 * The four steps of a rotation, and their state: create the successor (by default with
 * `graceUntilIdle`: the old key stops by itself once idle), show it, watch for its first use
 * (polling its `lastUsedAt` every `interval()` ms while step 3 is open) and, in steps 3 and 4, how
 * the old key drains (its `drain`, polled until its grace has ended), and revoke the old key.
 * Changes re-render the host.
 *
 * @example
 * private readonly rotation = new RotationController(this, { api: () => this.api(), keys: this.keys, … });
 * this.rotation.open(key);
 * await this.rotation.create();
 */
export class RotationController implements ReactiveController {
  /** The open wizard, or null when it is closed. */
  state: RotateState | null = null;
  private poll: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly options: RotationOptions,
  ) {
    host.addController(this);
  }

  hostDisconnected(): void {
    clearInterval(this.poll);
  }

  /** Opens the wizard at step 1 for `old`, and reads the org's policy (which bounds the successor's lifetime) for it. */
  open(old: ApiKey): void {
    this.state = { kind: "rotate", step: 1, old, grace: "", idle: "3600", busy: false, error: null, next: null, secret: null, previous: null, drain: null };
    this.host.requestUpdate();
    this.options.api().policy().then(
      ({ policy }) => this.state?.old === old && this.set({ policy: policy ?? null }),
      () => undefined, // without it, step 1 shows the old key's lifetime; the server still applies the policy
    );
  }

  /** Step 1: how long the old key keeps working ("" for not at all, else seconds). */
  setGrace(grace: string): void {
    this.set({ grace });
  }

  /** Step 1: whether the old key's grace ends once it is idle ("" for not), and after how many seconds. */
  setIdle(idle: string): void {
    this.set({ idle });
  }

  /** Step 1: issues the successor; the old key keeps working for the chosen grace period, or until idle. */
  async create(): Promise<void> {
    const { state, options } = this;
    if (!state) return;
    this.set({ busy: true, error: null });
    try {
      const { key, secret, previous } = await options.api().rotate(state.old.id, state.grace ? Number(state.grace) : null, Number(state.idle) || undefined);
      options.keys.replace(previous);
      options.keys.prepend(key);
      options.rotated(key, previous);
      options.announce("rotatedAnnounce", key.name);
      this.set({ busy: false, step: 2, next: key, secret, previous });
    } catch (error) {
      this.set({ busy: false, error: options.fail(error, false) });
    }
  }

  /** Moves to a step. Steps 3 and 4 start watching (the first use, the drain); step 4 drops the secret. */
  step(step: RotateState["step"]): void {
    clearInterval(this.poll);
    if (step >= 3) {
      this.poll = setInterval(() => void this.check(), this.options.interval());
    }
    this.set(step === 4 ? { step, secret: null } : { step });
    if (step >= 3) void this.check();
  }

  /**
   * Steps 3 and 4: reads the new key's exact `lastUsedAt` (in step 3, until it has one) and the
   * old key with its drain. The watching stops once there is nothing left to wait for: the new
   * key used, and the old key's grace over (or no drain to follow).
   */
  async check(): Promise<void> {
    const state = this.state;
    if (!state?.next) return;
    const api = this.options.api();
    const watchNext = state.step === 3 && !state.next.lastUsedAt;
    try {
      const [next, old] = await Promise.all([watchNext ? api.get(state.next.id) : null, api.get(state.old.id)]);
      if (next?.key) {
        this.set({ next: next.key });
        this.options.keys.replace(next.key);
      }
      const drain = old?.key ? (old.drain ?? null) : null;
      if (old?.key) {
        this.set({ previous: old.key, drain });
        this.options.keys.replace(old.key);
      }
      const draining = drain && !drain.endedWhenIdleAt && old.key.status === "active";
      if (!draining && (this.state?.step === 4 || this.state?.next?.lastUsedAt)) clearInterval(this.poll);
    } catch (error) {
      this.options.fail(error);
    }
  }

  /** Step 4: revokes the old key now rather than at the end of its grace period. */
  async revokeOld(): Promise<void> {
    const { state, options } = this;
    if (!state) return;
    this.set({ busy: true });
    try {
      const { key } = await options.api().revoke(state.old.id);
      options.keys.replace(key);
      options.revoked(key);
      options.announce("revokedAnnounce", key.name);
      options.done();
    } catch (error) {
      this.set({ busy: false, error: options.fail(error, false) });
    }
  }

  /** Closes the wizard: stops watching and forgets its state, the secret with it. */
  close(): void {
    clearInterval(this.poll);
    if (!this.state) return;
    this.state = null;
    this.host.requestUpdate();
  }

  /** Merges a change into the open wizard's state (none when it was closed meanwhile). */
  private set(patch: Partial<RotateState>): void {
    if (!this.state) return;
    this.state = { ...this.state, ...patch };
    this.host.requestUpdate();
  }
}
