import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

export default defineConfig({
  resolve: {
    // `npm install api-keys-settings` needs no alias; this repository uses the package folder
    // that `npm run build:component` assembles.
    alias: [{ find: /^api-keys-settings$/, replacement: fileURLToPath(new URL("../../component/package", import.meta.url)) }],
  },
});
