import { z } from "zod";
import { PROBLEM_STATUS } from "../http/problem";
import { OPERATIONS, type Operation } from "./operations";

type JsonObject = Record<string, unknown>;

/**
 * The OpenAPI 3.1 document, generated from the same zod schemas that validate requests, so the
 * documentation cannot drift from the behaviour. Built once per isolate.
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
  const components: JsonObject = { Problem: problemSchema() };
  const paths: Record<string, JsonObject> = {};
  for (const op of OPERATIONS) {
    paths[op.path] = { ...paths[op.path], [op.method]: operation(op, components) };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "API keys at the edge",
      version: "1.0.0",
      description:
        "Management API for API keys. Authenticate with the host app's user token (Authorization: Bearer <JWT>). " +
        "Every error is RFC 9457 application/problem+json.",
    },
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        user: { type: "http", scheme: "bearer", bearerFormat: "JWT" },
        admin: { type: "http", scheme: "bearer", description: "ADMIN_API_TOKEN" },
      },
    },
  };
}

function operation(op: Operation, components: JsonObject): JsonObject {
  const parameters = [
    ...[...op.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: "path", required: true, schema: { type: "string" } })),
    ...queryParameters(op, components),
  ];
  const responses: JsonObject = {
    [op.success.status]: {
      description: op.success.description,
      content: { "application/json": { schema: jsonSchema(op.success.schema, "output", components) } },
    },
  };
  for (const status of op.errors) {
    responses[status] = { description: errorDescription(status), content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } } };
  }
  return {
    summary: op.summary,
    operationId: `${op.method}${op.path.replace(/[^A-Za-z]+(\w)/g, (_, ch: string) => ch.toUpperCase())}`,
    security: op.security === "none" ? [] : [{ [op.security]: [] }],
    parameters,
    ...(op.body
      ? { requestBody: { required: !/\/(revoke|rotate)$/.test(op.path), content: { "application/json": { schema: jsonSchema(op.body, "input", components) } } } }
      : {}),
    responses,
  };
}

function queryParameters(op: Operation, components: JsonObject): JsonObject[] {
  if (!op.query) return [];
  const schema = jsonSchema(op.query, "input", components) as { properties?: Record<string, JsonObject>; required?: string[] };
  return Object.entries(schema.properties ?? {}).map(([name, property]) => ({
    name,
    in: "query",
    required: schema.required?.includes(name) ?? false,
    schema: property,
  }));
}

/** Converts a zod schema, hoisting named schemas (`.meta({ id })`) into `components.schemas`. */
function jsonSchema(schema: z.ZodType, io: "input" | "output", components: JsonObject): JsonObject {
  const raw = z.toJSONSchema(schema, { target: "draft-2020-12", io, unrepresentable: "any" }) as JsonObject;
  const rewritten = JSON.parse(JSON.stringify(raw).replaceAll('"#/$defs/', '"#/components/schemas/')) as JsonObject;
  const { $defs, $schema: _, ...rest } = rewritten as JsonObject & { $defs?: JsonObject };
  Object.assign(components, $defs ?? {});
  return rest;
}

function problemSchema(): JsonObject {
  return {
    type: "object",
    description: "RFC 9457 problem details.",
    required: ["type", "title", "status", "detail", "code", "requestId"],
    properties: {
      type: { type: "string", format: "uri" },
      title: { type: "string" },
      status: { type: "integer" },
      detail: { type: "string" },
      code: { type: "string", enum: Object.keys(PROBLEM_STATUS) },
      requestId: { type: "string" },
      errors: {
        type: "array",
        items: { type: "object", required: ["field", "message"], properties: { field: { type: "string" }, message: { type: "string" } } },
      },
    },
  };
}

function errorDescription(status: number): string {
  return Object.entries(PROBLEM_STATUS)
    .filter(([, s]) => s === status)
    .map(([code]) => code)
    .join(", ");
}
