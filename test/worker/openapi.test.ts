import { describe, expect, it } from "vitest";
import { call } from "./helpers/api";

type Json = Record<string, unknown>;

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: Json }> }; operationId?: string }>>;
  components: { schemas: Record<string, Json> };
}

/** Every route of SPEC §5's management API table. */
const SPEC_ROUTES: Array<[method: string, path: string]> = [
  ["get", "/v1/keys"],
  ["post", "/v1/keys"],
  ["get", "/v1/keys/{id}"],
  ["post", "/v1/keys/{id}/revoke"],
  ["post", "/v1/keys/{id}/rotate"],
  ["get", "/v1/audit-events"],
  ["put", "/v1/admin/orgs/{orgId}/users/{userId}"],
  ["get", "/v1/openapi.json"],
];

/** The Key object's members, from SPEC §5. */
const KEY_MEMBERS = [
  "id", "name", "hint", "createdAt", "createdBy", "lastUsedAt", "expiresAt",
  "revokedAt", "status", "scopes", "rotatedFromId", "rotatedToId", "rotationRequiresOwner",
];

const HTTP_METHODS = new Set(["get", "put", "post", "delete", "options", "head", "patch", "trace"]);

async function fetchDocument(): Promise<OpenApiDocument> {
  const res = await call("GET", "/v1/openapi.json");
  expect(res.status).toBe(200);
  return res.json();
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

/** A schema with its top-level `$ref` followed. */
function deref(document: OpenApiDocument, schema: Json): Json {
  return typeof schema.$ref === "string" ? (resolvePointer(document, schema.$ref) as Json) : schema;
}

function operations(document: OpenApiDocument): Array<[method: string, path: string]> {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.keys(item).filter((m) => HTTP_METHODS.has(m)).map((m): [string, string] => [m, path]),
  );
}

describe("GET /v1/openapi.json", () => {
  it("is an OpenAPI 3.1.0 document served as JSON", async () => {
    const res = await call("GET", "/v1/openapi.json");
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
    expect(((await res.json()) as OpenApiDocument).openapi).toBe("3.1.0");
  });

  for (const [method, path] of SPEC_ROUTES) {
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
      expect.arrayContaining(["post /v1/keys", "post /v1/keys/{id}/revoke", "post /v1/keys/{id}/rotate", "put /v1/admin/orgs/{orgId}/users/{userId}"]),
    );
    const open = bodies.filter(({ body }) => {
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
});

describe("GET /docs", () => {
  it("is an HTML page", async () => {
    const res = await call("GET", "/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/^text\/html/);
  });

  it("lists every operation of the OpenAPI document", async () => {
    const document = await fetchDocument();
    const html = await (await call("GET", "/docs")).text();
    const missing = operations(document)
      .map(([method, path]) => `${method.toUpperCase()} ${path}`)
      .filter((line) => !html.includes(line));
    expect(operations(document).length).toBeGreaterThanOrEqual(SPEC_ROUTES.length);
    expect(missing).toEqual([]);
  });
});
