import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { build } from "esbuild";
import { defineConfig } from "vitest/config";

const root = path.resolve(import.meta.dirname, "..");

/**
 * The name the plugin gives the Worker under test (its runner), so auxiliary Workers can bind to
 * it like another Worker binds to `api-keys-edge` in production: "vitest-plugin-runner-" and the
 * project's name (none here).
 */
const MAIN_WORKER = "vitest-plugin-runner-";
const COMPATIBILITY_DATE = "2026-11-01";
const KEY_HASH_SECRET = "test-key-hash-secret-0123456789abcdef0123";
const KEY_TAG_SECRETS = "b:test-key-tag-secret-b-0123456789abcdef0123,a:test-key-tag-secret-a-0123456789abcdef0123";

/** Bundles a TypeScript fixture into one module for an auxiliary Worker (they skip Vite's transforms). */
async function bundle(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [path.join(root, entry)],
    bundle: true,
    write: false,
    format: "esm",
    platform: "neutral",
    mainFields: ["module", "main"],
    conditions: ["workerd", "worker", "import"],
    external: ["cloudflare:*"],
    target: "es2022",
    logLevel: "silent",
  });
  return result.outputFiles[0]!.text;
}

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
            KEY_HASH_SECRET,
            KEY_TAG_SECRETS,
            AUTH_JWT_SECRET: "test-jwt-secret-0123456789abcdef0123456789",
            ADMIN_API_TOKEN: "test-admin-token-0123456789abcdef0123",
            VERIFY_API_TOKEN: "test-verify-token-0123456789abcdef0123",
            // A test-only ES256 key for X-Api-Assertion (test/worker/edge/assertion.test.ts verifies with its public half).
            UPSTREAM_SIGNING_KEYS: JSON.stringify([
              {
                kty: "EC",
                crv: "P-256",
                kid: "test-signing-a",
                x: "ggsFEwG2hcADhHhUzjQbQyo4ErS48B4tjFJdIcHG4Z8",
                y: "iLCPse_3FTkqbptaZqBDzqZmbqp0SR26SLnU99fbdWU",
                d: "U19rWrjfyTTVM4S1hiLoEdVB9HeGEsUzZhMEKcocaZE",
              },
            ]),
            ALLOWED_ORIGINS: "https://app.example.com,http://127.0.0.1:8787",
            // The timeout test waits this long, not wrangler.toml's 10 s; the slow-endpoint test needs room within it.
            WEBHOOK_TIMEOUT_SECONDS: "6",
          },
          // The tests reach the two consuming Workers below through these.
          serviceBindings: { VERIFY_CONSUMER: "verify-consumer", HONO_CONSUMER: "hono-consumer" },
          workers: [
            {
              // Another Worker that checks keys through the KeyVerifier entrypoint (service binding, RPC).
              name: "verify-consumer",
              modules: true,
              compatibilityDate: COMPATIBILITY_DATE,
              serviceBindings: { KEY_VERIFIER: { name: MAIN_WORKER, entrypoint: "KeyVerifier" } },
              script: `
                export default {
                  async fetch(request, env) {
                    const { key, options } = await request.json();
                    try {
                      return Response.json(await env.KEY_VERIFIER.verify(key, options));
                    } catch (error) {
                      return Response.json({ thrown: error.name, message: error.message }, { status: 500 });
                    }
                  },
                };
              `,
            },
            {
              // Another Worker's Hono app using apiKeyAuth, with the main Worker's KeyAuthority bound through script_name.
              name: "hono-consumer",
              modules: true,
              compatibilityDate: COMPATIBILITY_DATE,
              script: await bundle("test/worker/verify/fixtures/hono-consumer.ts"),
              durableObjects: { KEY_AUTHORITY: { className: "KeyAuthority", scriptName: MAIN_WORKER } },
              bindings: { KEY_HASH_SECRET, KEY_TAG_SECRETS, KEY_PREFIX: "ak_live_", AUTH_FAILURE_PERIOD_SECONDS: "60" },
              ratelimits: { AUTH_FAILURE_LIMITER: { namespace_id: "1001", simple: { limit: 50, period: 60 } } },
            },
          ],
        },
      }),
    ],
    test: {
      include: ["test/worker/**/*.test.ts"],
      setupFiles: ["test/worker/apply-migrations.ts"],
      // A real HTTP server that receives and verifies the Worker's webhooks (test/worker/webhooks/).
      globalSetup: ["test/worker/webhooks/receiver.global.ts"],
    },
  };
});
