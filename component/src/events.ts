import type { ApiKey } from "./types";

const init = { bubbles: true, composed: true };

/** A key was created. Carries the key's metadata, never its secret. */
export class ApiKeyCreatedEvent extends Event {
  static readonly eventName = "api-key-created";
  constructor(readonly key: ApiKey) {
    super(ApiKeyCreatedEvent.eventName, init);
  }
}

/** A key was revoked. */
export class ApiKeyRevokedEvent extends Event {
  static readonly eventName = "api-key-revoked";
  constructor(readonly key: ApiKey) {
    super(ApiKeyRevokedEvent.eventName, init);
  }
}

/** A key was renamed or its expiry moved earlier: `key` is the key as it is now. */
export class ApiKeyUpdatedEvent extends Event {
  static readonly eventName = "api-key-updated";
  constructor(readonly key: ApiKey) {
    super(ApiKeyUpdatedEvent.eventName, init);
  }
}

/** A key was rotated: `key` is the successor, `previous` the old key. Never a secret. */
export class ApiKeyRotatedEvent extends Event {
  static readonly eventName = "api-key-rotated";
  constructor(
    readonly key: ApiKey,
    readonly previous: ApiKey,
  ) {
    super(ApiKeyRotatedEvent.eventName, init);
  }
}

/** A call to the API failed. `status` 0 means the network failed. */
export class ApiKeysErrorEvent extends Event {
  static readonly eventName = "api-keys-error";
  constructor(
    readonly status: number,
    readonly code: string | null,
    readonly message: string,
  ) {
    super(ApiKeysErrorEvent.eventName, init);
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    "api-key-created": ApiKeyCreatedEvent;
    "api-key-revoked": ApiKeyRevokedEvent;
    "api-key-updated": ApiKeyUpdatedEvent;
    "api-key-rotated": ApiKeyRotatedEvent;
    "api-keys-error": ApiKeysErrorEvent;
  }
}
