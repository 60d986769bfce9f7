import { ApiKeysSettings } from "./api-keys-settings";

export { ApiKeysSettings } from "./api-keys-settings";
export { ApiKeyCreatedEvent, ApiKeyRevokedEvent, ApiKeyRotatedEvent, ApiKeysErrorEvent, ApiKeyUpdatedEvent } from "./events";
export type { ApiKey, KeyStatus, Problem } from "./types";

// Defining twice (two script tags, two bundles) is harmless: the first definition stands.
if (!customElements.get("api-keys-settings")) customElements.define("api-keys-settings", ApiKeysSettings);

declare global {
  interface HTMLElementTagNameMap {
    "api-keys-settings": ApiKeysSettings;
  }
}
