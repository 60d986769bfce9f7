// The element's documented properties, shared by the React and Vue typings.
import type { ApiKeysSettings } from "./types/index.js";

/** The documented properties, all optional where a framework binds them. */
export type ApiKeysSettingsProps = Partial<
  Pick<ApiKeysSettings, "apiBase" | "token" | "getToken" | "locale" | "theme" | "defaultExpiryDays" | "verifyInterval">
>;
