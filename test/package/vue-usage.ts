// Type-checks the package's Vue 3 global component typing (npm run test:package).
import "api-keys-settings/vue";
import type { GlobalComponents } from "vue";

type Props = InstanceType<GlobalComponents["api-keys-settings"]>["$props"];

export const props: Props = {
  apiBase: "https://keys.example.com",
  theme: "auto",
  verifyInterval: 1000,
  "onApi-key-rotated": (event) => console.log(event.key.id, event.previous.id),
  "onApi-key-updated": (event) => console.log(event.key.name),
  onApiKeyRevoked: (event) => console.log(event.key.revokedAt),
};

// @ts-expect-error: a template's @api-keys-error handler gets the event, not a string
export const wrongHandler: Props = { onApiKeysError: (event: string) => event };

// @ts-expect-error: theme is light, dark or auto
export const wrongTheme: Props = { theme: "neon" };
