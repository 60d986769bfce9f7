import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [react()],
  resolve: {
    // `npm install api-keys-settings` needs no alias; this repository uses the package folder
    // that `npm run build:component` assembles.
    alias: [{ find: /^api-keys-settings$/, replacement: fileURLToPath(new URL("../../component/package", import.meta.url)) }],
  },
});
