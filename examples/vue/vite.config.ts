import { fileURLToPath } from "node:url";
import vue from "@vitejs/plugin-vue";
import { defineConfig } from "vite";

export default defineConfig({
  // #region readme-vue-config
  plugins: [
    vue({
      // <api-keys-settings> is a custom element, not a Vue component.
      template: { compilerOptions: { isCustomElement: (tag) => tag === "api-keys-settings" } },
    }),
  ],
  // #endregion
  resolve: {
    // `npm install api-keys-settings` needs no alias; this repository uses the package folder
    // that `npm run build:component` assembles.
    alias: [{ find: /^api-keys-settings$/, replacement: fileURLToPath(new URL("../../component/package", import.meta.url)) }],
  },
});
