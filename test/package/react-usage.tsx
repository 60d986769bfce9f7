// Type-checks the package's React 19 JSX as an app would write it (npm run test:package).
import "api-keys-settings/react";
import type { ApiKeyCreatedEvent } from "api-keys-settings";

export function SettingsPage({ getToken }: { getToken: () => Promise<string> }) {
  const created = (event: ApiKeyCreatedEvent) => console.log(event.key.id);
  return (
    <api-keys-settings
      apiBase="https://keys.example.com"
      getToken={getToken}
      theme="dark"
      locale="de"
      defaultExpiryDays={30}
      onapi-key-created={created}
      onapi-keys-error={(event) => console.log(event.status, event.code)}
      onapi-key-updated={(event) => console.log(event.key.name, event.key.expiresAt)}
    />
  );
}

// @ts-expect-error: theme is light, dark or auto
export const wrongTheme = <api-keys-settings theme="neon" />;
// @ts-expect-error: the event carries the key, not a string
export const wrongEvent = <api-keys-settings onapi-key-revoked={(event: string) => event} />;
