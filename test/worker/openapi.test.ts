import { describe, expect, it } from "vitest";
import { PROBLEM_STATUS } from "../../worker/http/problem";
import { IDENTITY_HEADERS } from "../../worker/edge/forward-headers";
import { ASSERTION_HEADER } from "../../worker/edge/upstream-assertion";
import type { FailureCode } from "../../worker/errors/failure";
import { call } from "./helpers/api";

type Json = Record<string, unknown>;

interface OpenApiOperation extends Json {
  operationId?: string;
  security?: unknown[];
  parameters?: Json[];
  requestBody?: { content: Record<string, { schema: Json }> };
  responses: Json;
}

interface OpenApiDocument {
  openapi: string;
  info: Json;
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { schemas: Record<string, Json>; securitySchemes: Record<string, Json>; headers?: Record<string, Json> } & Json;
  tags?: Array<{ name: string }>;
}

const HTTP_METHODS = new Set(["get", "put", "post", "delete", "options", "head", "patch", "trace"]);

/** Every `[method, path]` of the document. */
function operations(document: OpenApiDocument): Array<[method: string, path: string]> {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.keys(item).filter((m) => HTTP_METHODS.has(m)).map((m): [string, string] => [m, path]),
  );
}

/** Resolves a local JSON pointer (`#/components/schemas/Key`) inside the document. */
function resolvePointer(document: unknown, ref: string): unknown {
  if (!ref.startsWith("#")) return undefined;
  const tokens = ref.slice(1).split("/").slice(1).map((t) => decodeURIComponent(t).replaceAll("~1", "/").replaceAll("~0", "~"));
  let node: unknown = document;
  for (const token of tokens) {
    if (typeof node !== "object" || node === null || !Object.hasOwn(node, token)) return undefined;
    node = (node as Json)[token];
  }
  return node;
}

function collectRefs(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((child) => collectRefs(child, found));
  else if (typeof node === "object" && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      if (key === "$ref" && typeof value === "string") found.push(value);
      else collectRefs(value, found);
    }
  }
  return found;
}

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);
/** Fixed fields of OpenAPI 3.1 objects; `x-` extensions are allowed everywhere. */
const ALLOWED = {
  root: ["openapi", "info", "jsonSchemaDialect", "servers", "paths", "webhooks", "components", "security", "tags", "externalDocs"],
  pathItem: ["$ref", "summary", "description", "servers", "parameters", ...HTTP_METHODS],
  operation: ["tags", "summary", "description", "externalDocs", "operationId", "parameters", "requestBody", "responses", "callbacks", "deprecated", "security", "servers"],
  parameter: ["name", "in", "description", "required", "deprecated", "allowEmptyValue", "style", "explode", "allowReserved", "schema", "example", "examples", "content"],
  response: ["description", "headers", "content", "links"],
  media: ["schema", "example", "examples", "encoding"],
  header: ["description", "required", "deprecated", "style", "explode", "schema", "example", "examples", "content"],
  components: ["schemas", "responses", "parameters", "examples", "requestBodies", "headers", "securitySchemes", "links", "callbacks", "pathItems"],
};

function unknownFields(where: string, value: Json, allowed: readonly string[], problems: string[]): void {
  for (const key of Object.keys(value)) {
    if (!key.startsWith("x-") && !allowed.includes(key)) problems.push(`${where}: unknown field ${key}`);
  }
}

/**
 * What keeps `document` from being a valid OpenAPI 3.1 document, structurally: required fields,
 * fixed field names, path templating, parameter locations, response keys and descriptions,
 * media types, header objects, security requirements against the defined schemes, component
 * names, declared tags. Schema bodies are JSON Schema 2020-12 and only need their `$ref`s to
 * resolve (a test of its own). An empty list: valid.
 */
function structuralProblems(document: OpenApiDocument): string[] {
  const problems: string[] = [];
  const doc = document as unknown as Json;
  unknownFields("document", doc, ALLOWED.root, problems);
  if (!/^3\.1\.\d+$/.test(String(doc.openapi))) problems.push(`openapi is ${String(doc.openapi)}, not 3.1.x`);
  const info = isObject(doc.info) ? doc.info : {};
  if (typeof info.title !== "string" || typeof info.version !== "string") problems.push("info needs title and version");
  if (!isObject(doc.paths)) problems.push("paths is not an object");
  const components = isObject(doc.components) ? doc.components : {};
  unknownFields("components", components, ALLOWED.components, problems);
  for (const [section, entries] of Object.entries(components)) {
    for (const name of Object.keys(isObject(entries) ? entries : {})) {
      if (!/^[a-zA-Z0-9.\-_]+$/.test(name)) problems.push(`components.${section}: bad name ${name}`);
    }
  }
  const schemes = isObject(components.securitySchemes) ? components.securitySchemes : {};
  for (const [name, scheme] of Object.entries(schemes)) {
    const s = isObject(scheme) ? scheme : {};
    const ok =
      (s.type === "apiKey" && typeof s.name === "string" && ["query", "header", "cookie"].includes(String(s.in))) ||
      (s.type === "http" && typeof s.scheme === "string") ||
      (s.type === "oauth2" && isObject(s.flows)) ||
      (s.type === "openIdConnect" && typeof s.openIdConnectUrl === "string") ||
      s.type === "mutualTLS";
    if (!ok) problems.push(`components.securitySchemes.${name} is not a valid security scheme`);
  }
  for (const [name, header] of Object.entries(isObject(components.headers) ? components.headers : {})) {
    const h = isObject(header) ? header : {};
    unknownFields(`components.headers.${name}`, h, ALLOWED.header, problems);
    if (!isObject(h.schema) && !isObject(h.content)) problems.push(`components.headers.${name} needs schema or content`);
  }
  const tags = new Set((Array.isArray(doc.tags) ? doc.tags : []).map((t) => (isObject(t) ? t.name : undefined)));
  const operationIds = new Set<string>();
  for (const [path, item] of Object.entries(isObject(doc.paths) ? doc.paths : {})) {
    if (!path.startsWith("/")) problems.push(`path ${path} does not start with /`);
    const pathItem = isObject(item) ? item : {};
    unknownFields(`path ${path}`, pathItem, ALLOWED.pathItem, problems);
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
    for (const method of Object.keys(pathItem).filter((m) => HTTP_METHODS.has(m))) {
      const where = `${method} ${path}`;
      const op = isObject(pathItem[method]) ? (pathItem[method] as Json) : {};
      unknownFields(where, op, ALLOWED.operation, problems);
      if (typeof op.operationId === "string") {
        if (operationIds.has(op.operationId)) problems.push(`${where}: duplicate operationId ${op.operationId}`);
        operationIds.add(op.operationId);
      }
      for (const tag of Array.isArray(op.tags) ? op.tags : []) if (!tags.has(tag)) problems.push(`${where}: tag ${String(tag)} is not declared`);
      const parameters = [...(Array.isArray(pathItem.parameters) ? pathItem.parameters : []), ...(Array.isArray(op.parameters) ? op.parameters : [])].filter(isObject);
      const seen = new Set<string>();
      for (const p of parameters) {
        unknownFields(`${where} parameter ${String(p.name)}`, p, ALLOWED.parameter, problems);
        if (typeof p.name !== "string" || !["query", "header", "path", "cookie"].includes(String(p.in))) problems.push(`${where}: a parameter needs a name and a valid in`);
        if (!isObject(p.schema) && !isObject(p.content)) problems.push(`${where}: parameter ${String(p.name)} needs schema or content`);
        if (p.in === "path" && (p.required !== true || !templated.includes(String(p.name)))) problems.push(`${where}: path parameter ${String(p.name)} must be required and in the path`);
        const key = `${String(p.in)}:${String(p.name)}`;
        if (seen.has(key)) problems.push(`${where}: parameter ${key} twice`);
        seen.add(key);
      }
      for (const name of templated) {
        if (!parameters.some((p) => p.in === "path" && p.name === name)) problems.push(`${where}: path parameter ${name} is not declared`);
      }
      if (op.requestBody !== undefined && !(isObject(op.requestBody) && isObject(op.requestBody.content))) problems.push(`${where}: requestBody needs content`);
      const responses = isObject(op.responses) ? op.responses : {};
      if (!Object.keys(responses).length) problems.push(`${where}: no responses`);
      for (const [status, response] of Object.entries(responses)) {
        if (!/^([1-5](\d\d|XX)|default)$/.test(status)) problems.push(`${where}: bad response key ${status}`);
        const r = isObject(response) ? response : {};
        if (typeof r.$ref === "string") continue;
        unknownFields(`${where} response ${status}`, r, ALLOWED.response, problems);
        if (typeof r.description !== "string") problems.push(`${where}: response ${status} has no description`);
        for (const [type, media] of Object.entries(isObject(r.content) ? r.content : {})) {
          if (!/^[\w*.+-]+\/[\w*.+-]+$/.test(type)) problems.push(`${where}: bad media type ${type}`);
          if (isObject(media)) unknownFields(`${where} ${status} ${type}`, media, ALLOWED.media, problems);
        }
        for (const [name, header] of Object.entries(isObject(r.headers) ? r.headers : {})) {
          if (!isObject(header) || (typeof header.$ref !== "string" && !isObject(header.schema) && !isObject(header.content))) problems.push(`${where}: header ${name} needs schema, content or $ref`);
        }
      }
      for (const requirement of [...(Array.isArray(op.security) ? op.security : []), ...(Array.isArray(doc.security) ? doc.security : [])]) {
        for (const name of Object.keys(isObject(requirement) ? requirement : {})) {
          if (!(name in schemes)) problems.push(`${where}: security scheme ${name} is not defined`);
        }
      }
    }
  }
  return problems;
}

/** Every operation the document must have: the management API, the key-protected API, verification and the service routes. */
const REQUIRED_OPERATIONS: Array<[method: string, path: string]> = [
  ["get", "/v1/keys"],
  ["post", "/v1/keys"],
  ["get", "/v1/keys/{id}"],
  ["get", "/v1/keys/{id}/usage"],
  ["patch", "/v1/keys/{id}"],
  ["get", "/v1/me"],
  ["post", "/v1/keys/{id}/revoke"],
  ["post", "/v1/keys/{id}/rotate"],
  ["get", "/v1/audit-events"],
  ["put", "/v1/admin/orgs/{orgId}/users/{userId}"],
  ["get", "/v1/openapi.json"],
  ["get", "/api/whoami"],
  ...(["get", "put", "post", "delete", "patch"] as const).map((m): [string, string] => [m, "/api/{path}"]),
  ["post", "/v1/verify"],
  ["get", "/.well-known/jwks.json"],
  ["get", "/healthz"],
  ["get", "/docs"],
];

/** The Key object's members, from SPEC §5. */
const KEY_MEMBERS = [
  "id", "name", "hint", "createdAt", "createdBy", "lastUsedAt", "expiresAt",
  "revokedAt", "status", "scopes", "rotatedFromId", "rotatedToId", "region", "leak", "allowedIps",
  "enabled", "description", "meta", "revokedReason", "canary", "limits", "credits", "rotationRequiresOwner",
];

/** What the key check answers on every key-protected operation, by status. */
const KEY_CHECK_OUTCOMES: Record<string, FailureCode[]> = {
  "401": ["invalid_api_key", "api_key_revoked", "api_key_expired", "api_key_disabled"],
  "403": ["user_deactivated", "ip_not_allowed"],
  "429": ["rate_limited", "too_many_failed_attempts"],
  "503": ["limiter_unavailable"],
};

async function fetchDocument(): Promise<OpenApiDocument> {
  const res = await call("GET", "/v1/openapi.json");
  expect(res.status).toBe(200);
  return res.json();
}

/** A schema with its top-level `$ref` followed. */
function deref(document: OpenApiDocument, schema: Json): Json {
  return typeof schema.$ref === "string" ? (resolvePointer(document, schema.$ref) as Json) : schema;
}

/** The codes of an operation's problem responses, by status. */
function problemCodes(document: OpenApiDocument, method: string, path: string): Record<string, string[]> {
  const responses = (document.paths[path]?.[method]?.responses ?? {}) as Record<string, Json>;
  return Object.fromEntries(
    Object.entries(responses)
      .filter(([, r]) => Array.isArray(r["x-problems"]))
      .map(([status, r]) => [status, (r["x-problems"] as Array<{ code: string }>).map((p) => p.code)]),
  );
}

function headerNames(response: Json | undefined): string[] {
  return Object.keys((response?.headers as Json | undefined) ?? {});
}

describe("GET /v1/openapi.json", () => {
  it("is an OpenAPI 3.1.0 document served as JSON", async () => {
    const res = await call("GET", "/v1/openapi.json");
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
    expect(((await res.json()) as OpenApiDocument).openapi).toBe("3.1.0");
  });

  it("is structurally valid OpenAPI 3.1: paths, operations, parameters, responses, components, security schemes", async () => {
    expect(structuralProblems(await fetchDocument())).toEqual([]);
  });

  it("the structural check catches what it claims to (it is not vacuous)", async () => {
    const broken = structuredClone(await fetchDocument()) as unknown as { paths: Record<string, Record<string, Json>>; components: Json };
    delete broken.paths["/v1/keys/{id}"]!.get!.parameters;
    (broken.paths["/v1/keys"]!.get!.responses as Json)["200"] = { content: {} };
    broken.paths["/api/whoami"]!.get!.security = [{ nope: [] }];
    (broken.components.securitySchemes as Json).apiKey = { type: "apiKey", in: "body" };
    const problems = structuralProblems(broken as unknown as OpenApiDocument).join("\n");
    expect(problems).toMatch(/get \/v1\/keys\/\{id\}: path parameter id is not declared/);
    expect(problems).toMatch(/get \/v1\/keys: response 200 has no description/);
    expect(problems).toMatch(/get \/api\/whoami: security scheme nope is not defined/);
    expect(problems).toMatch(/securitySchemes\.apiKey/);
  });

  for (const [method, path] of REQUIRED_OPERATIONS) {
    it(`documents ${method.toUpperCase()} ${path}`, async () => {
      const document = await fetchDocument();
      expect(document.paths[path]?.[method], `${method} ${path}`).toBeDefined();
    });
  }

  it("resolves every $ref inside the document itself", async () => {
    const document = await fetchDocument();
    const refs = collectRefs(document);
    expect(refs.length).toBeGreaterThan(0);
    const unresolved = refs.filter((ref) => resolvePointer(document, ref) === undefined);
    expect(unresolved).toEqual([]);
  });

  it("refuses unknown fields in every request body schema", async () => {
    const document = await fetchDocument();
    const bodies = operations(document)
      .map(([method, path]) => ({ op: `${method} ${path}`, body: document.paths[path]?.[method]?.requestBody }))
      .filter((entry) => entry.body !== undefined);
    expect(bodies.map((b) => b.op)).toEqual(
      expect.arrayContaining([
        "post /v1/keys", "patch /v1/keys/{id}", "post /v1/keys/{id}/revoke", "post /v1/keys/{id}/rotate", "put /v1/admin/orgs/{orgId}/users/{userId}", "post /v1/verify",
      ]),
    );
    // GitHub's secret-scanning format: a partner endpoint ignores fields GitHub may add to a match
    // rather than refusing every report from then on.
    const open = bodies.filter(({ op }) => op !== "post /v1/leaks").filter(({ body }) => {
      const schema = body?.content["application/json"]?.schema;
      return !schema || deref(document, schema).additionalProperties !== false;
    });
    expect(open.map((b) => b.op)).toEqual([]);
  });

  it("describes a Key with exactly the members of the spec, and no secret or digest", async () => {
    const document = await fetchDocument();
    const key = document.components.schemas.Key as { properties: Json };
    expect(Object.keys(key.properties).sort()).toEqual([...KEY_MEMBERS].sort());
    expect(JSON.stringify(key)).not.toMatch(/secret|digest|hash/i);
  });

  it("gives every operation a unique operationId", async () => {
    const document = await fetchDocument();
    const ids = operations(document).map(([method, path]) => document.paths[path]?.[method]?.operationId);
    expect(ids.every((id) => typeof id === "string" && id.length > 0)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("documents the RFC 9457 problem shape with all its required members", async () => {
    const document = await fetchDocument();
    const problem = document.components.schemas.Problem as { required: string[] };
    expect(problem.required).toEqual(expect.arrayContaining(["type", "title", "status", "detail", "code", "requestId"]));
  });

  it("lists each problem code under the status the app answers it with, and says what it means", async () => {
    const document = await fetchDocument();
    const wrong: string[] = [];
    for (const [method, path] of operations(document)) {
      for (const [status, codes] of Object.entries(problemCodes(document, method, path))) {
        for (const code of codes) {
          if (String(PROBLEM_STATUS[code as FailureCode]) !== status) wrong.push(`${method} ${path}: ${code} under ${status}`);
        }
      }
      const responses = document.paths[path]![method]!.responses as Record<string, Json>;
      for (const r of Object.values(responses)) {
        for (const p of (r["x-problems"] as Array<{ meaning: string }> | undefined) ?? []) {
          if (!p.meaning || p.meaning.length < 10) wrong.push(`${method} ${path}: a code without a meaning`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe("the key-protected API in the document", () => {
  it("defines X-API-Key as an apiKey security scheme in the header, and every /api operation uses it", async () => {
    const document = await fetchDocument();
    expect(document.components.securitySchemes.apiKey).toMatchObject({ type: "apiKey", in: "header", name: "X-API-Key" });
    const apiOps = operations(document).filter(([, path]) => path.startsWith("/api/"));
    expect(apiOps.length).toBeGreaterThanOrEqual(8);
    for (const [method, path] of apiOps) expect(document.paths[path]![method]!.security, `${method} ${path}`).toEqual([{ apiKey: [] }]);
  });

  it("documents every outcome of the key check on every /api operation, and the path and upstream outcomes on the forwarded ones", async () => {
    const document = await fetchDocument();
    for (const [method, path] of operations(document).filter(([, p]) => p.startsWith("/api/"))) {
      const codes = problemCodes(document, method, path);
      for (const [status, expected] of Object.entries(KEY_CHECK_OUTCOMES)) {
        expect(codes[status], `${method} ${path} ${status}`).toEqual(expect.arrayContaining(expected));
      }
      if (path === "/api/{path}") {
        expect(codes["400"]).toEqual(["invalid_path"]);
        expect(codes["403"]).toEqual(expect.arrayContaining(["forbidden"]));
        expect(codes["502"]).toEqual(["upstream_unavailable"]);
      }
    }
  });

  it("documents RateLimit and RateLimit-Policy on admitted answers, and Retry-After on 429 and 503", async () => {
    const document = await fetchDocument();
    const headers = document.components.headers as Record<string, Json>;
    expect(Object.keys(headers)).toEqual(expect.arrayContaining(["RateLimit", "RateLimit-Policy", "Retry-After"]));
    for (const [method, path] of operations(document).filter(([, p]) => p.startsWith("/api/"))) {
      const responses = document.paths[path]![method]!.responses as Record<string, Json>;
      const admitted = responses["200"] ?? responses.default;
      expect(headerNames(admitted), `${method} ${path}`).toEqual(expect.arrayContaining(["RateLimit", "RateLimit-Policy"]));
      expect(headerNames(responses["429"])).toEqual(expect.arrayContaining(["Retry-After", "RateLimit", "RateLimit-Policy"]));
      expect(headerNames(responses["503"])).toContain("Retry-After");
    }
  });

  it("tells the upstream what the Worker adds to a forwarded request, the signed assertion included", async () => {
    const document = await fetchDocument();
    const op = document.paths["/api/{path}"]!.get!;
    const added = (op["x-upstream-request-headers"] as Array<{ name: string; description: string }>).map((h) => h.name);
    expect(added).toEqual(expect.arrayContaining([...IDENTITY_HEADERS, ASSERTION_HEADER]));
    expect(String(op.description)).toMatch(/UPSTREAM_URL/);
    expect(String(op.description)).toMatch(/jwks\.json/);
  });
});

describe("key verification in the document", () => {
  it("documents POST /v1/verify with the service token, the request body and the outcome", async () => {
    const document = await fetchDocument();
    const op = document.paths["/v1/verify"]!.post!;
    expect(op.security).toEqual([{ verifyToken: [] }]);
    expect(document.components.securitySchemes.verifyToken).toMatchObject({ type: "http", scheme: "bearer" });
    const body = deref(document, op.requestBody!.content["application/json"]!.schema);
    expect(body.required).toEqual(["key"]);
    expect(Object.keys(body.properties as Json).sort()).toEqual(["clientAddress", "cost", "key", "permission"]);
    const ok = ((op.responses as Record<string, Json>)["200"]!.content as Record<string, { schema: Json }>)["application/json"]!.schema;
    const outcome = deref(document, ok);
    expect(outcome.required).toEqual(expect.arrayContaining(["valid", "code"]));
    expect(Object.keys(outcome.properties as Json)).toEqual(expect.arrayContaining(["key", "org", "user", "permissions", "rateLimit"]));
    expect(problemCodes(document, "post", "/v1/verify")["401"]).toEqual(["unauthenticated"]);
  });

  it("documents the JWKS and readiness without any secret", async () => {
    const document = await fetchDocument();
    const jwk = document.components.schemas.PublicJwk as { properties: Json };
    expect(Object.keys(jwk.properties)).not.toContain("d");
    expect(document.paths["/healthz"]!.get!.responses).toHaveProperty("503");
  });
});
