// Vue 3 templates: <api-keys-settings> as a typed global component. Import once, e.g. in main.ts:
// `import "api-keys-settings/vue";` (an empty module at run time) and tell Vue it is a custom element
// (compilerOptions.isCustomElement: (tag) => tag === "api-keys-settings").
import type { DefineComponent } from "vue";
import type {
  ApiKeyCreatedEvent,
  ApiKeyRevokedEvent,
  ApiKeyRotatedEvent,
  ApiKeysErrorEvent,
  ApiKeyUpdatedEvent,
} from "./types/index.js";
import type { ApiKeysSettingsProps } from "./props.js";

export type { ApiKeysSettingsProps };

/**
 * Its events, as Vue names listener props: vue-tsc checks `@api-key-created` in a template against
 * `onApiKeyCreated`; the hyphenated names type `h()` and render-function props.
 */
export interface ApiKeysSettingsEmits {
  onApiKeyCreated?: (event: ApiKeyCreatedEvent) => void;
  onApiKeyRevoked?: (event: ApiKeyRevokedEvent) => void;
  onApiKeyRotated?: (event: ApiKeyRotatedEvent) => void;
  onApiKeyUpdated?: (event: ApiKeyUpdatedEvent) => void;
  onApiKeysError?: (event: ApiKeysErrorEvent) => void;
  "onApi-key-created"?: (event: ApiKeyCreatedEvent) => void;
  "onApi-key-revoked"?: (event: ApiKeyRevokedEvent) => void;
  "onApi-key-rotated"?: (event: ApiKeyRotatedEvent) => void;
  "onApi-key-updated"?: (event: ApiKeyUpdatedEvent) => void;
  "onApi-keys-error"?: (event: ApiKeysErrorEvent) => void;
}

declare module "vue" {
  interface GlobalComponents {
    "api-keys-settings": DefineComponent<ApiKeysSettingsProps & ApiKeysSettingsEmits>;
  }
}
