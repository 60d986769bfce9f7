import { describe, expect, it } from "vitest";
import { createApp } from "../../worker/app";
import { DOCS_STYLE, docsHtml } from "../../worker/openapi/docs-page";
import { escapeHtml, prose } from "../../worker/openapi/docs-render";
import { openApiDocument } from "../../worker/openapi/openapi-document";
import { call } from "./helpers/api";

type Json = Record<string, unknown>;

const HTTP_METHODS = new Set(["get", "put", "post", "delete", "options", "head", "patch", "trace"]);

interface DocumentedOperation {
  method: string;
  path: string;
  operationId: string;
  op: Json;
}

function documentedOperations(document: Json): DocumentedOperation[] {
  return Object.entries(document.paths as Record<string, Record<string, Json>>).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([m]) => HTTP_METHODS.has(m))
      .map(([method, op]) => ({ method, path, operationId: String(op.operationId), op })),
  );
}

async function docsResponse(): Promise<{ res: Response; html: string }> {
  const res = await call("GET", "/docs");
  return { res, html: await res.text() };
}

/** The `<section>` that holds the element with `id`, as plain text (tags removed, entities decoded). */
function sectionText(html: string, id: string): string {
  const at = html.indexOf(`id="${id}"`);
  if (at < 0) return "";
  const start = html.lastIndexOf("<section", at);
  const end = html.indexOf("</section>", at);
  return decode(html.slice(start, end).replace(/<[^>]*>/g, ""));
}

function decode(text: string): string {
  return text.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
}

async function sha256Base64(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return btoa(String.fromCharCode(...new Uint8Array(digest)));
}

/** Every start tag of the page: text is escaped, so each `<` in the HTML opens a real tag. */
function tags(html: string): string[] {
  return [...html.matchAll(/<[a-zA-Z][^>]*>/g)].map((m) => m[0]);
}

describe("GET /docs", () => {
  it("is an HTML page", async () => {
    const { res } = await docsResponse();
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/^text\/html/);
  });

  it("has a section for every operation of the OpenAPI document, with its method and path, and a table of contents entry", async () => {
    const { html } = await docsResponse();
    const missing = documentedOperations(openApiDocument(createApp()))
      .filter(({ method, path, operationId }) => {
        const text = sectionText(html, `op-${operationId}`);
        return !text.includes(path) || !(text.includes(`${method.toUpperCase()} `) || text.includes(method.toUpperCase()));
      })
      .map(({ method, path }) => `${method} ${path}`);
    expect(missing).toEqual([]);
    const nav = html.slice(html.indexOf("<nav"), html.indexOf("</nav>"));
    for (const { path } of documentedOperations(openApiDocument(createApp()))) expect(nav).toContain(escapeHtml(path));
  });

  it("shows each operation's authentication, parameters, body and response properties, errors with their meaning, and a curl example", async () => {
    const { html } = await docsResponse();
    const create = sectionText(html, "op-postV1Keys");
    expect(create).toMatch(/Authentication:.*Authorization: Bearer \$TOKEN/);
    expect(create).toMatch(/Request body/);
    for (const property of ["name", "expiresAt", "scopes", "secret"]) expect(create).toContain(property);
    expect(create).toMatch(/409\s*active_key_limit\s*The owner already has/);
    expect(create).toContain("curl -X POST 'http://127.0.0.1:8787/v1/keys'");
    expect(create).toContain(`-d '{"name":"CRM Integration","expiresAt":"2027-03-01T00:00:00Z"}'`);

    const whoami = sectionText(html, "op-getApiWhoami");
    expect(whoami).toMatch(/X-API-Key header/);
    for (const text of ["key.id", "user.name", "permissions", "rateLimit", "RateLimit-Policy", "invalid_api_key", "too_many_failed_attempts", "limiter_unavailable"]) {
      expect(whoami).toContain(text);
    }
    expect(whoami).toContain(`curl 'http://127.0.0.1:8787/api/whoami' \\\n  -H "X-API-Key: $API_KEY"`);

    const forwarded = sectionText(html, "op-getApiPath");
    for (const text of ["X-Api-Assertion", "X-Api-Key-Id", "upstream_unavailable", "invalid_path", "PATCH"]) expect(forwarded).toContain(text);

    const admin = sectionText(html, "op-putV1AdminOrgsOrgIdUsersUserId");
    expect(admin).toMatch(/orgId\s*path\s*string\s*yes/);
    expect(admin).toContain("curl -X PUT 'http://127.0.0.1:8787/v1/admin/orgs/org_acme/users/u_ada'");

    // Every operation has an example, and every documented problem code is in its section.
    for (const { operationId, op } of documentedOperations(openApiDocument(createApp()))) {
      const text = sectionText(html, `op-${operationId}`);
      expect(text, operationId).toMatch(/Example\s*(# any method[^\n]*\n)?curl /);
      for (const response of Object.values(op.responses as Record<string, Json>)) {
        for (const problem of (response["x-problems"] as Array<{ code: string }> | undefined) ?? []) expect(text, operationId).toContain(problem.code);
      }
    }
  });

  it("renders schemas as property tables with type, required and description, not as JSON", async () => {
    const { html } = await docsResponse();
    const key = sectionText(html, "schema-Key");
    expect(key).toMatch(/rotationRequiresOwner\s*boolean\s*yes\s*True when the caller may not rotate/);
    expect(key).toMatch(/status\s*"active" \| "expired" \| "revoked"\s*yes/);
    expect(key).toMatch(/lastUsedAt\s*string \(date-time\) \| null/);
    expect(html).not.toMatch(/"additionalProperties"|"\$ref"|&#34;\$ref&#34;/);
  });

  it("loads nothing from anywhere: no script, no external resource, links only within this origin", async () => {
    const { html } = await docsResponse();
    expect(html).not.toMatch(/<script\b|<link\b|<img\b|<iframe\b|<object\b|<embed\b|@import|url\(/i);
    const all = tags(html);
    expect(all.filter((t) => /\s(on\w+|style|src|srcset|action|formaction)=/i.test(t))).toEqual([]);
    const hrefs = all.flatMap((t) => [...t.matchAll(/\shref="([^"]*)"/g)].map((m) => m[1]!));
    expect(hrefs.length).toBeGreaterThan(20);
    expect(hrefs.filter((h) => !/^(#[\w-]+|\/[\w./-]*)$/.test(h))).toEqual([]);
  });

  it("allows exactly its one inline style by hash, and no script", async () => {
    const { res, html } = await docsResponse();
    const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]!);
    expect(styles).toEqual([DOCS_STYLE]);
    const policy = res.headers.get("Content-Security-Policy") ?? "";
    expect(policy).toContain(`style-src 'sha256-${await sha256Base64(styles[0]!)}'`);
    expect(policy).toMatch(/default-src 'none'/);
    expect(policy).not.toMatch(/script-src|unsafe-inline|unsafe-eval/);
  });

  it("is readable in light and dark: it follows prefers-color-scheme", async () => {
    const { html } = await docsResponse();
    expect(html).toContain(`<meta name="color-scheme" content="light dark">`);
    expect(DOCS_STYLE).toMatch(/@media \(prefers-color-scheme:dark\)\{:root\{--fg:[^}]+--bg:/);
  });

  it("has anchors for every section it links to", async () => {
    const { html } = await docsResponse();
    const ids = new Set([...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]));
    const targets = [...html.matchAll(/\shref="#([^"]+)"/g)].map((m) => m[1]);
    expect(targets.filter((t) => !ids.has(t))).toEqual([]);
    expect(ids.size).toBe([...html.matchAll(/\sid="/g)].length);
  });

  it("uses the request's origin in its curl examples", async () => {
    const html = docsHtml(openApiDocument(createApp()), "https://keys.example.com");
    expect(decode(html)).toContain("curl 'https://keys.example.com/api/whoami'");
  });
});

describe("the /docs renderer escapes everything it interpolates", () => {
  const ATTACK = `<script>alert(1)</script><img src=x onerror="alert(2)">'"&`;

  /** The real document with hostile text in every place the renderer writes from. */
  function hostileDocument(): Json {
    const document = structuredClone(openApiDocument(createApp())) as Json & {
      info: Json;
      tags: Json[];
      paths: Record<string, Record<string, Json>>;
      components: { schemas: Record<string, Json>; securitySchemes: Record<string, Json>; headers: Record<string, Json> };
    };
    document.info.title = ATTACK;
    document.info.description = `${ATTACK} \`${ATTACK}\``;
    document.tags[0]!.name = ATTACK;
    document.tags[0]!.description = ATTACK;
    const create = document.paths["/v1/keys"]!.post!;
    create.tags = [ATTACK];
    create.summary = ATTACK;
    create.description = ATTACK;
    create.operationId = `x" onmouseover="alert(3)`;
    const example = (create.requestBody as { content: Record<string, Json> }).content["application/json"]!;
    example.example = { name: ATTACK };
    const read = document.paths["/v1/keys/{id}"]!.get!;
    (read.parameters as Json[])[0]!.description = ATTACK;
    (read.parameters as Json[])[0]!.example = ATTACK;
    const problems = (read.responses as Record<string, Json>)["404"]!["x-problems"] as Json[];
    problems[0]!.code = ATTACK;
    problems[0]!.meaning = ATTACK;
    const key = document.components.schemas.Key as { properties: Record<string, Json>; description?: string };
    key.properties[ATTACK] = { type: ATTACK, description: ATTACK, pattern: ATTACK, enum: [ATTACK] };
    key.properties.name = { $ref: `#/components/schemas/${ATTACK}` };
    document.components.schemas[ATTACK] = { type: "object", description: ATTACK, minLength: ATTACK };
    document.components.securitySchemes.apiKey!.name = ATTACK;
    document.components.securitySchemes.apiKey!.description = ATTACK;
    document.components.headers.RateLimit!.description = ATTACK;
    (document.paths["/api/{path}"]!.get!["x-upstream-request-headers"] as Json[])[0]!.name = ATTACK;
    document.paths[`/x/${ATTACK}`] = { get: { summary: ATTACK, operationId: ATTACK, responses: { [ATTACK]: { description: ATTACK } } } };
    return document;
  }

  it("renders an operation summary with <script> inert, and every other hostile value as text", () => {
    const html = docsHtml(hostileDocument(), `https://keys.example.com/'<script>`);
    // Exactly the page's own markup: no tag the attack could have opened.
    expect(html).not.toMatch(/<script|<img/i);
    expect(tags(html).filter((t) => /\son\w+=/i.test(t))).toEqual([]);
    expect(html).toContain("&#60;script&#62;alert(1)&#60;/script&#62;");
    // Still a whole page around it.
    expect(html).toContain("</main>");
    expect(html.match(/<style>/g)).toHaveLength(1);
  });

  it("escapes text and attribute values, and only adds <code> around already escaped text", () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe("&#60;a href=&#34;x&#34; title=&#39;y&#39;&#62;&#38;&#60;/a&#62;");
    expect(prose("Send `X-API-Key`.\n\n<b>`<i>`</b>")).toBe("<p>Send <code>X-API-Key</code>.</p><p>&#60;b&#62;<code>&#60;i&#62;</code>&#60;/b&#62;</p>");
  });
});
