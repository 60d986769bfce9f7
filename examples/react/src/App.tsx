// #region readme-react
import { useState } from "react";
import "api-keys-settings"; // defines <api-keys-settings>
import type {} from "api-keys-settings/react"; // types it in JSX (types only: nothing to bundle)
import { API_BASE, getToken } from "./auth";

export function SettingsPage() {
  const [lastEvent, setLastEvent] = useState("");
  return (
    <main>
      <h1>Settings</h1>
      {/* React 19 sets these as properties, and listens for "api-key-created" on the element. */}
      <api-keys-settings
        apiBase={API_BASE}
        getToken={getToken}
        defaultExpiryDays={30}
        onapi-key-created={(event) => setLastEvent(`Created “${event.key.name}”`)}
        onapi-key-revoked={(event) => setLastEvent(`Revoked “${event.key.name}”`)}
      />
      <p role="status">{lastEvent}</p>
    </main>
  );
}
// #endregion
