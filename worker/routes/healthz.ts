import { createRoute, type RouteHandler } from "@hono/zod-openapi";
import { z } from "zod";
import type { AppEnv } from "../app-env";
import { ConfigError, readConfig, userSignInProblem } from "../config";

/** The D1 tables the Worker needs: present once the migrations have run. */
const REQUIRED_TABLES = ["api_keys", "users", "audit_events"] as const;

/** `GET /healthz`: readiness only; which check failed, never a setting's value. */
export const HealthResponse = z
  .strictObject({
    status: z.enum(["ok", "unavailable"]).meta({ description: "ok (200) when every check is ok, else unavailable (503)." }),
    checks: z.strictObject({
      configuration: z
        .enum(["ok", "misconfigured"])
        .meta({ description: "misconfigured: a required setting is missing or unsafe; the Worker's log names each one." }),
      database: z
        .enum(["ok", "migrations_missing", "unreachable"])
        .meta({ description: "Whether D1 answers and holds the migrated tables." }),
    }),
  })
  .meta({ id: "Health" });

/** What `GET /healthz` reports: each check's state, never a setting's value. */
export type Readiness = z.output<typeof HealthResponse>;

/** The definition of `GET /healthz`. */
export const healthzRoute = createRoute({
  method: "get",
  path: "/healthz",
  tags: ["Service"],
  security: [],
  summary: "Readiness",
  description:
    "Whether the Worker can serve: its configuration is usable and D1 answers with the migrated tables. It names the check that failed, never a setting's value; the Worker's log names each missing or unsafe setting. Answers even when the configuration is broken. `Cache-Control: no-store`.",
  responses: {
    200: { description: "Ready: status is ok.", content: { "application/json": { schema: HealthResponse } } },
    503: { description: "Not ready: status is unavailable, and checks says which check failed.", content: { "application/json": { schema: HealthResponse } } },
  },
});

/**
 * `GET /healthz`: readiness for load balancers, deploy checks and humans. 200 when the
 * configuration is usable and D1 answers with the migrated tables, else 503. It names which check
 * failed but never a value (the Worker's log names the settings; see `readConfig`).
 *
 * @example
 * defineRoute(app, healthzRoute, healthz()); // before requestContext(), so it answers when config is broken
 */
export function healthz(): RouteHandler<typeof healthzRoute, AppEnv> {
  return async function healthzHandler(c) {
    const readiness: Readiness = {
      status: "ok",
      checks: { configuration: configurationState(c.env), database: await databaseState(c.env.DB) },
    };
    if (readiness.checks.configuration !== "ok" || readiness.checks.database !== "ok") readiness.status = "unavailable";
    return c.json(readiness, readiness.status === "ok" ? 200 : 503, { "Cache-Control": "no-store" });
  };
}

function configurationState(env: Env): Readiness["checks"]["configuration"] {
  try {
    // A deployment that can't verify its users' tokens is not ready either (the management API
    // answers server_misconfigured), though API keys keep working.
    return userSignInProblem(readConfig(env)) === null ? "ok" : "misconfigured";
  } catch (error) {
    if (error instanceof ConfigError) return "misconfigured";
    throw error;
  }
}

async function databaseState(db: D1Database): Promise<Readiness["checks"]["database"]> {
  try {
    const placeholders = REQUIRED_TABLES.map(() => "?").join(", ");
    const { results } = await db
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name IN (${placeholders})`)
      .bind(...REQUIRED_TABLES)
      .all<{ name: string }>();
    return results.length === REQUIRED_TABLES.length ? "ok" : "migrations_missing";
  } catch (error) {
    console.error(`healthz: D1 unreachable: ${(error as Error).message}`);
    return "unreachable";
  }
}
