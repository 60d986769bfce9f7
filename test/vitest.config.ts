import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

const root = path.resolve(import.meta.dirname, "..");

export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(root, "migrations"));
  return {
    root,
    plugins: [
      cloudflareTest({
        wrangler: { configPath: path.join(root, "wrangler.toml") },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            DEV_LOGIN: "true",
            KEY_HASH_SECRET: "test-key-hash-secret-0123456789abcdef0123",
            KEY_TAG_SECRETS: "b:test-key-tag-secret-b-0123456789abcdef0123,a:test-key-tag-secret-a-0123456789abcdef0123",
            AUTH_JWT_SECRET: "test-jwt-secret-0123456789abcdef0123456789",
            ADMIN_API_TOKEN: "test-admin-token-0123456789abcdef0123",
            ALLOWED_ORIGINS: "https://app.example.com,http://127.0.0.1:8787",
          },
        },
      }),
    ],
    test: {
      include: ["test/worker/**/*.test.ts"],
      setupFiles: ["test/worker/apply-migrations.ts"],
    },
  };
});
