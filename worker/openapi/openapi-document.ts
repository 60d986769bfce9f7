import { z } from "zod";
import type { FailureCode } from "../errors/failure";
import { GENERIC_UNAUTHORIZED_BODY } from "../edge/edge-problems";
import { IDENTITY_HEADERS } from "../edge/forward-headers";
import { ASSERTION_HEADER, ASSERTION_LIFETIME_SECONDS, ASSERTION_TYPE } from "../edge/upstream-assertion";
import { PROBLEM_STATUS } from "../http/problem";
import { ANY_METHOD, type HeaderName, OPERATIONS, type Operation, type ProblemSpec, TAGS } from "./operations";
import { PROBLEM_MEANINGS } from "./problem-meanings";

type JsonObject = Record<string, unknown>;

/**
 * The OpenAPI 3.1 document of everything the Worker serves in production: the management API,
 * the key-protected API (with `X-API-Key`, the rate-limit fields and every refusal), key
 * verification, the JWKS and readiness. Generated from the same zod schemas that validate
 * requests, so the documentation cannot drift from the behaviour. Built once per isolate.
 *
 * @example
 * app.get("/v1/openapi.json", (c) => c.json(openApiDocument()));
 */
export function openApiDocument(): JsonObject {
  cached ??= build();
  return cached;
}
let cached: JsonObject | undefined;

function build(): JsonObject {
  const schemas: JsonObject = { Problem: problemSchema(), InvalidApiKeyProblem: invalidApiKeySchema() };
  const paths: Record<string, JsonObject> = {};
  for (const op of OPERATIONS) {
    const methods = op.method === "any" ? ANY_METHOD : [op.method];
    for (const method of methods) {
      const operationId = operationIdOf(method, op.path);
      paths[op.path] = { ...paths[op.path], [method]: operation(op, operationId, schemas) };
    }
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "API keys at the edge",
      version: "1.0.0",
      description:
        "Issue, verify, limit and revoke API keys. The management API (`/v1`) takes the host app's user token (`Authorization: Bearer <JWT>`); " +
        "the key-protected API (`/api`) takes `X-API-Key`; backends verify keys with `POST /v1/verify`.\n\n" +
        "Every error is RFC 9457 `application/problem+json` with a stable `code`; every response carries `X-Request-Id`. " +
        "Besides the errors listed under each operation, any of them can answer 500 `internal_error` or `server_misconfigured`, " +
        "and a `/v1` path called with a method it does not take answers 405 `method_not_allowed` with `Allow`. " +
        "Every `/v1` response is `Cache-Control: no-store`.",
    },
    tags: TAGS.map((t) => ({ name: t.name, description: t.description })),
    paths,
    components: {
      schemas,
      headers: HEADERS,
      // `x-curl-variable`: the shell variable that holds the credential in /docs' curl examples.
      securitySchemes: {
        user: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description: "The host app's user token (HS256 with AUTH_JWT_SECRET, or RS256/ES256 from AUTH_JWKS_URL) with sub, the org claim, permissions and iat.",
          "x-curl-variable": "TOKEN",
        },
        admin: {
          type: "http",
          scheme: "bearer",
          description: "ADMIN_API_TOKEN, for the host backend only.",
          "x-curl-variable": "ADMIN_API_TOKEN",
        },
        apiKey: {
          type: "apiKey",
          in: "header",
          name: "X-API-Key",
          description: "An API key (`ak_live_…`). Only this header carries it: a key in the query string is ignored and never forwarded. Two X-API-Key headers are refused as malformed.",
          "x-curl-variable": "API_KEY",
        },
        verifyToken: {
          type: "http",
          scheme: "bearer",
          description: "VERIFY_API_TOKEN, a service token for backends that call POST /v1/verify (not a user token).",
          "x-curl-variable": "VERIFY_API_TOKEN",
        },
      },
    },
  };
}

/** `getV1KeysId`, `putApiPath`: unique per method and path. */
function operationIdOf(method: string, path: string): string {
  const words = path.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return method + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join("");
}

function operation(op: Operation, operationId: string, schemas: JsonObject): JsonObject {
  const parameters = [
    ...[...op.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
      name,
      in: "path",
      required: true,
      description: op.pathParameters?.[name!]?.description,
      example: op.pathParameters?.[name!]?.example,
      schema: { type: "string" },
    })),
    ...queryParameters(op, schemas),
  ];
  const responses: JsonObject = {};
  for (const response of op.responses) {
    responses[String(response.status)] = {
      description: response.description,
      ...headersOf(response.headers),
      content: {
        [response.contentType ?? "application/json"]: response.schema ? { schema: jsonSchema(response.schema, "output", schemas) } : {},
      },
    };
  }
  Object.assign(responses, problemResponses(op.errors));
  return {
    tags: [op.tag],
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    operationId,
    security: op.security === "none" ? [] : [{ [op.security]: [] }],
    parameters,
    ...(op.body
      ? {
          requestBody: {
            required: op.body.required,
            content: { "application/json": { schema: jsonSchema(op.body.schema, "input", schemas), example: op.body.example } },
          },
        }
      : {}),
    responses,
    // For the upstream's developers: what arrives with a forwarded request (rendered by /docs).
    ...(op.forwarded ? { "x-upstream-request-headers": UPSTREAM_REQUEST_HEADERS } : {}),
  };
}

function queryParameters(op: Operation, schemas: JsonObject): JsonObject[] {
  if (!op.query) return [];
  const schema = jsonSchema(op.query, "input", schemas) as { properties?: Record<string, JsonObject>; required?: string[] };
  return Object.entries(schema.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: "query",
      required: schema.required?.includes(name) ?? false,
      ...(typeof description === "string" ? { description } : {}),
      schema: rest,
    };
  });
}

/**
 * One response per status, each listing its codes and what they mean in `x-problems` (the docs
 * page renders that table), and narrowing the Problem schema's `code` to them.
 */
function problemResponses(errors: ProblemSpec[]): JsonObject {
  const byStatus = new Map<number, Array<{ code: FailureCode; meaning: string; headers: HeaderName[] }>>();
  for (const entry of errors) {
    const [code, meaning] = typeof entry === "string" ? [entry, PROBLEM_MEANINGS[entry]] : entry;
    const status = PROBLEM_STATUS[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), { code, meaning, headers: problemHeaders(code) }]);
  }
  const responses: JsonObject = {};
  for (const [status, problems] of [...byStatus].sort(([a], [b]) => a - b)) {
    const codes = problems.map((p) => p.code);
    const others = codes.filter((code) => code !== "invalid_api_key");
    const narrowed = { allOf: [{ $ref: "#/components/schemas/Problem" }, { properties: { code: { enum: others } } }] };
    // The key check's constant 401 body has no requestId, so it gets a schema of its own.
    const schema = others.length === codes.length
      ? narrowed
      : { anyOf: [{ $ref: "#/components/schemas/InvalidApiKeyProblem" }, ...(others.length ? [narrowed] : [])] };
    responses[String(status)] = {
      description: codes.join(", "),
      ...headersOf([...new Set(problems.flatMap((p) => p.headers))]),
      content: { "application/problem+json": { schema } },
      // Each code, what it means here, and which of the headers above it sends.
      "x-problems": problems,
    };
  }
  return responses;
}

/** The headers a refusal with `code` carries (besides X-Request-Id). */
function problemHeaders(code: FailureCode): HeaderName[] {
  return PROBLEM_HEADERS[code] ?? [];
}

const PROBLEM_HEADERS: Partial<Record<FailureCode, HeaderName[]>> = {
  unauthenticated: ["WWW-Authenticate"],
  invalid_api_key: ["WWW-Authenticate"],
  rate_limited: ["Retry-After", "RateLimit", "RateLimit-Policy"],
  too_many_failed_attempts: ["Retry-After"],
  limiter_unavailable: ["Retry-After"],
  identity_provider_unavailable: ["Retry-After"],
};

function headersOf(names: HeaderName[] | undefined): JsonObject {
  if (!names?.length) return {};
  return { headers: Object.fromEntries(names.map((name) => [name, { $ref: `#/components/headers/${name}` }])) };
}

/** Response headers, described once. */
const HEADERS: Record<HeaderName, JsonObject> = {
  RateLimit: {
    description:
      'The policy nearest exhaustion: its name, r (requests remaining) and t (seconds until it resets). draft-ietf-httpapi-ratelimit-headers. Example: "burst";r=9;t=1',
    schema: { type: "string", examples: ['"burst";r=9;t=1'] },
  },
  "RateLimit-Policy": {
    description: 'Every policy of the key: its name, q (quota) and w (window in seconds). Example: "burst";q=10;w=1, "minute";q=100;w=60',
    schema: { type: "string", examples: ['"burst";q=10;w=1, "minute";q=100;w=60'] },
  },
  "Retry-After": {
    description: "Whole seconds until a retry can succeed (for rate_limited, exactly until a request would be admitted).",
    schema: { type: "integer", minimum: 1 },
  },
  "WWW-Authenticate": {
    description: 'The scheme to authenticate with: Bearer for tokens, ApiKey header="X-API-Key" for keys.',
    schema: { type: "string" },
  },
};

const IDENTITY_DESCRIPTIONS: Record<(typeof IDENTITY_HEADERS)[number], string> = {
  "X-Api-Key-Id": "The key's id.",
  "X-Api-User-Id": "The id of the key's creator.",
  "X-Api-Org-Id": "The key's org.",
  "X-Api-Permissions": "The key's effective permissions (creator's current permissions ∩ scopes), space-separated.",
};

/** What the Worker adds to every request it forwards upstream (after removing any client `x-api-*` header). */
const UPSTREAM_REQUEST_HEADERS: Array<{ name: string; description: string }> = [
  ...IDENTITY_HEADERS.map((name) => ({ name, description: IDENTITY_DESCRIPTIONS[name] })),
  {
    name: ASSERTION_HEADER,
    description:
      `The same identity, signed: a compact ES256 JWT (header typ \`${ASSERTION_TYPE}\` and the signing key's kid) with iss (this Worker's origin), ` +
      "aud (`UPSTREAM_AUDIENCE`, else the origin of `UPSTREAM_URL`), sub (the key's creator), org, key_id, permissions, htm and htu (this request's method, and its URL without the query), " +
      `iat, exp (iat + ${ASSERTION_LIFETIME_SECONDS} s) and a unique jti. Verify it with the key of its kid at \`/.well-known/jwks.json\`, check typ, aud, exp, htm and htu, then trust the claims (or the identity headers they match).`,
  },
  {
    name: "X-API-Key",
    description: "The verified key itself, only when UPSTREAM_FORWARD_HEADERS lists x-api-key.",
  },
];

/** Converts a zod schema, hoisting named schemas (`.meta({ id })`) into `components.schemas`. */
function jsonSchema(schema: z.ZodType, io: "input" | "output", schemas: JsonObject): JsonObject {
  const raw = z.toJSONSchema(schema, { target: "draft-2020-12", io, unrepresentable: "any" }) as JsonObject;
  const rewritten = JSON.parse(JSON.stringify(raw).replaceAll('"#/$defs/', '"#/components/schemas/')) as JsonObject;
  const { $defs, $schema: _, ...rest } = rewritten as JsonObject & { $defs?: JsonObject };
  Object.assign(schemas, $defs ?? {});
  // zod inlines a named schema (`.meta({ id })`) at the root: hoist it too, and point to it.
  const id = z.globalRegistry.get(schema)?.id;
  if (typeof id !== "string") return rest;
  schemas[id] = rest;
  return { $ref: `#/components/schemas/${id}` };
}

function problemSchema(): JsonObject {
  return {
    type: "object",
    description: "RFC 9457 problem details. Extension members: errors (validation_failed), policy (rate_limited).",
    required: ["type", "title", "status", "detail", "code", "requestId"],
    properties: {
      type: { type: "string", format: "uri", description: "urn:problem:api-keys:<code>" },
      title: { type: "string", description: "A short, fixed summary of the code." },
      status: { type: "integer", description: "The HTTP status." },
      detail: { type: "string", description: "What happened, for a human." },
      code: { type: "string", enum: Object.keys(PROBLEM_STATUS), description: "Stable machine-readable code: branch on this." },
      requestId: { type: "string", description: "The request's id, also in X-Request-Id; quote it in support requests." },
      errors: {
        type: "array",
        description: "validation_failed only: each invalid field.",
        items: { type: "object", required: ["field", "message"], properties: { field: { type: "string" }, message: { type: "string" } } },
      },
      policy: { type: "string", enum: ["burst", "minute"], description: "rate_limited only: the limit that was reached." },
    },
  };
}

/** The one constant 401 body of the key check (no requestId: it would tell requests apart). */
function invalidApiKeySchema(): JsonObject {
  const body = JSON.parse(GENERIC_UNAUTHORIZED_BODY) as Record<string, string | number>;
  return {
    type: "object",
    description: "The constant body of every invalid_api_key answer, byte for byte; the request id is in X-Request-Id only.",
    required: Object.keys(body),
    properties: Object.fromEntries(Object.entries(body).map(([name, value]) => [name, { const: value }])),
  };
}
