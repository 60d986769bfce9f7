// React 19 JSX for <api-keys-settings>: typed properties (React 19 sets them as properties on
// custom elements) and typed event props (React 19 listens for `on` + the event's exact name).
// Import once, e.g. in your app's entry: `import "api-keys-settings/react";`
import type { DetailedHTMLProps, HTMLAttributes } from "react";
import type {
  ApiKeyCreatedEvent,
  ApiKeyRevokedEvent,
  ApiKeyRotatedEvent,
  ApiKeysErrorEvent,
  ApiKeysSettings,
  ApiKeyUpdatedEvent,
} from "./types/index.js";
import type { ApiKeysSettingsProps } from "./props.js";

export type { ApiKeysSettingsProps };

/** Its events, as React 19 attaches them to a custom element. */
export interface ApiKeysSettingsEventProps {
  "onapi-key-created"?: (event: ApiKeyCreatedEvent) => void;
  "onapi-key-revoked"?: (event: ApiKeyRevokedEvent) => void;
  "onapi-key-rotated"?: (event: ApiKeyRotatedEvent) => void;
  "onapi-key-updated"?: (event: ApiKeyUpdatedEvent) => void;
  "onapi-keys-error"?: (event: ApiKeysErrorEvent) => void;
}

declare module "react" {
  namespace JSX {
    interface IntrinsicElements {
      "api-keys-settings": DetailedHTMLProps<HTMLAttributes<ApiKeysSettings>, ApiKeysSettings> &
        ApiKeysSettingsProps &
        ApiKeysSettingsEventProps;
    }
  }
}
