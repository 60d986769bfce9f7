/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Where the api-keys-edge Worker is (default http://localhost:8787, what `npm run dev` serves). */
  readonly VITE_API_BASE?: string;
}
