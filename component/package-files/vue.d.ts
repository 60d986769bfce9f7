// Vue 3 templates: <api-keys-settings> as a typed global component. Import once, e.g. in main.ts:
// `import "api-keys-settings/vue";` and tell Vue it is a custom element
// (compilerOptions.isCustomElement: (tag) => tag === "api-keys-settings").
import type { DefineComponent } from "vue";
import type {
  ApiKeyCreatedEvent,
  ApiKeyRevokedEvent,
  ApiKeyRotatedEvent,
  ApiKeysErrorEvent,
} from "./types/index.js";
import type { ApiKeysSettingsProps } from "./props.js";

export type { ApiKeysSettingsProps };

/** Its events (`@api-key-created`…), as Vue names listener props. */
export interface ApiKeysSettingsEmits {
  "onApi-key-created"?: (event: ApiKeyCreatedEvent) => void;
  "onApi-key-revoked"?: (event: ApiKeyRevokedEvent) => void;
  "onApi-key-rotated"?: (event: ApiKeyRotatedEvent) => void;
  "onApi-keys-error"?: (event: ApiKeysErrorEvent) => void;
}

declare module "vue" {
  interface GlobalComponents {
    "api-keys-settings": DefineComponent<ApiKeysSettingsProps & ApiKeysSettingsEmits>;
  }
}
