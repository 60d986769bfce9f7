import type { ReactiveController, ReactiveControllerHost } from "lit";
import type { ApiClient } from "./api-client";
import { ApiKeyRevokedEvent, ApiKeyRotatedEvent } from "./events";
import type { KeyListController } from "./key-list-controller";
import type { RotateState } from "./views/rotate-view";

/** How often step 3 asks whether the new key has been used. */
const VERIFY_POLL_MS = 3000;

/** What the rotation needs from the element. */
export interface RotationHost extends ReactiveControllerHost, EventTarget {
  rotationState(): RotateState | null;
  patchDialog(patch: Partial<RotateState>): void;
  closeDialog(): void;
  say(message: string): void;
  fail(error: unknown, announce?: boolean): void;
  errorText(error: unknown): string;
  announceKey(key: "rotatedAnnounce" | "revokedAnnounce", name: string): void;
}

/**
 * The four steps of a rotation: create the successor, show it, watch for its first use (polling
 * `lastUsedAt` while step 3 is open), and revoke the old key.
 *
 * @example
 * private readonly rotation = new RotationController(this, () => this.api(), this.keys);
 * await this.rotation.create();
 */
export class RotationController implements ReactiveController {
  private poll: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly host: RotationHost,
    private readonly api: () => ApiClient,
    private readonly keys: KeyListController,
  ) {
    host.addController(this);
  }

  hostDisconnected(): void {
    this.stop();
  }

  /** Step 1: issues the successor; the old key keeps working for the chosen grace period. */
  async create(): Promise<void> {
    const state = this.host.rotationState();
    if (!state) return;
    this.host.patchDialog({ busy: true, error: null });
    try {
      const { key, secret, previous } = await this.api().rotate(state.old.id, state.grace ? Number(state.grace) : null);
      this.keys.replace(previous);
      this.keys.prepend(key);
      this.host.dispatchEvent(new ApiKeyRotatedEvent(key, previous));
      this.host.announceKey("rotatedAnnounce", key.name);
      this.host.patchDialog({ busy: false, step: 2, next: key, secret, previous });
    } catch (error) {
      this.host.patchDialog({ busy: false, error: this.host.errorText(error) });
      this.host.fail(error, false);
    }
  }

  /** Moves to a step. Step 3 starts watching for the first use; step 4 drops the secret. */
  step(step: RotateState["step"]): void {
    this.stop();
    if (step === 3) this.poll = setInterval(() => void this.check(), VERIFY_POLL_MS);
    this.host.patchDialog(step === 4 ? { step, secret: null } : { step });
    if (step === 3) void this.check();
  }

  /** Step 3: reads the new key's exact `lastUsedAt`. */
  async check(): Promise<void> {
    const next = this.host.rotationState()?.next;
    if (!next) return;
    try {
      const { key } = await this.api().get(next.id);
      if (this.host.rotationState()) this.host.patchDialog({ next: key });
      this.keys.replace(key);
    } catch (error) {
      this.host.fail(error);
    }
  }

  /** Step 4: revokes the old key now rather than at the end of its grace period. */
  async revokeOld(): Promise<void> {
    const state = this.host.rotationState();
    if (!state) return;
    this.host.patchDialog({ busy: true });
    try {
      const { key } = await this.api().revoke(state.old.id);
      this.keys.replace(key);
      this.host.dispatchEvent(new ApiKeyRevokedEvent(key));
      this.host.announceKey("revokedAnnounce", key.name);
      this.host.closeDialog();
    } catch (error) {
      this.host.patchDialog({ busy: false, error: this.host.errorText(error) });
      this.host.fail(error, false);
    }
  }

  /** Stops watching (the wizard closed or left step 3). */
  stop(): void {
    clearInterval(this.poll);
  }
}
