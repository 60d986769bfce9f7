/**
 * Renders an OpenAPI 3.1 document as the body of the `/docs` page: a table of contents, then each
 * operation with its authentication, parameters, body and response schemas as property tables,
 * its errors (status, code, meaning) and a curl example, then the shared schemas. Pure string
 * building: no script, no external resource, and every value from the document goes through
 * {@link escapeHtml} (prose through {@link prose}, which escapes first).
 */

type Json = Record<string, unknown>;

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;

/** What the renderer needs besides the document. */
export interface RenderOptions {
  /** Origin the curl examples call, e.g. `https://keys.example.com`. */
  origin: string;
}

/** One operation of the document, with where it lives. */
interface OperationEntry {
  method: string;
  path: string;
  operationId: string;
  op: Json;
}

/** Operations on one path that are documented identically (the `/api/{path}` catch-all's methods). */
interface OperationGroup {
  path: string;
  entries: OperationEntry[];
  op: Json;
  tag: string;
}

/**
 * The `/docs` body for an OpenAPI document: navigation and main content, no `<html>` shell.
 *
 * @example
 * const main = renderReference(openApiDocument(), { origin: "https://keys.example.com" });
 */
export function renderReference(document: Json, options: RenderOptions): string {
  const groups = operationGroups(document);
  const tags = tagOrder(document, groups);
  const info = obj(document.info);
  const components = obj(document.components);

  const toc = tags
    .map(({ name }) => {
      const items = groups
        .filter((g) => g.tag === name)
        .map((g) => `<li><a href="#${anchorOf(g)}">${methodBadges(g)} <code>${escapeHtml(g.path)}</code></a></li>`)
        .join("");
      return `<li><a href="#tag-${slug(name)}">${escapeHtml(name)}</a><ul>${items}</ul></li>`;
    })
    .join("");

  const sections = tags
    .map(({ name, description }) => {
      const ops = groups.filter((g) => g.tag === name).map((g) => renderGroup(g, document, options)).join("\n");
      return `<section class="tag" aria-labelledby="tag-${slug(name)}"><h2 id="tag-${slug(name)}">${escapeHtml(name)}</h2>${prose(description)}\n${ops}</section>`;
    })
    .join("\n");

  return `<nav aria-label="Contents"><p class="toc-title"><a href="#top">${escapeHtml(str(info.title))}</a></p><ul>
<li><a href="#authentication">Authentication</a></li>
<li><a href="#errors">Errors</a></li>
<li><a href="#headers">Rate-limit and other headers</a></li>
${toc}
<li><a href="#schemas">Schemas</a></li>
</ul></nav>
<main id="main">
<h1 id="top">${escapeHtml(str(info.title))} <span class="muted">${escapeHtml(str(info.version))}</span></h1>
${prose(str(info.description))}
<p>Machine-readable: <a href="/v1/openapi.json">/v1/openapi.json</a> (OpenAPI ${escapeHtml(str(document.openapi))}).</p>
${renderSecuritySchemes(obj(components.securitySchemes))}
${renderErrorsIntro(document)}
${renderHeaders(obj(components.headers))}
${sections}
${renderSchemas(obj(components.schemas), document)}
</main>`;
}

/**
 * `text` with `&`, `<`, `>`, `"` and `'` replaced by character references: safe in element
 * content and in quoted attribute values.
 *
 * @example
 * escapeHtml('<img src=x onerror="alert(1)">'); // "&#60;img src=x onerror=&#34;alert(1)&#34;&#62;"
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/**
 * Escaped prose: paragraphs at blank lines, `backticks` as `<code>`. The markup is added after
 * escaping, around text that is already escaped, so nothing in `text` can become markup.
 *
 * @example
 * prose("Send `X-API-Key`.\n\nThen <b>."); // "<p>Send <code>X-API-Key</code>.</p><p>Then &#60;b&#62;.</p>"
 */
export function prose(text: string): string {
  if (!text) return "";
  return text
    .split(/\n{2,}/)
    .map((paragraph) => `<p>${inline(paragraph)}</p>`)
    .join("");
}

function inline(text: string): string {
  return escapeHtml(text).replace(/`([^`]+)`/g, "<code>$1</code>");
}

// ── Operations ──────────────────────────────────────────────────────────────────────────────

function operationGroups(document: Json): OperationGroup[] {
  const groups: OperationGroup[] = [];
  for (const [path, item] of Object.entries(obj(document.paths))) {
    const byShape = new Map<string, OperationGroup>();
    for (const method of METHODS) {
      const op = obj(obj(item)[method]);
      if (!Object.keys(op).length) continue;
      const { operationId, ...shape } = op;
      const entry = { method, path, operationId: str(operationId) || `${method}-${path}`, op };
      const key = JSON.stringify(shape);
      const existing = byShape.get(key);
      if (existing) existing.entries.push(entry);
      else {
        const group = { path, entries: [entry], op, tag: str(arr(op.tags)[0]) || "Other" };
        byShape.set(key, group);
        groups.push(group);
      }
    }
  }
  return groups;
}

function tagOrder(document: Json, groups: OperationGroup[]): Array<{ name: string; description: string }> {
  const declared = arr(document.tags).map((t) => ({ name: str(obj(t).name), description: str(obj(t).description) }));
  const used = new Set(groups.map((g) => g.tag));
  const extra = [...used].filter((name) => !declared.some((t) => t.name === name)).map((name) => ({ name, description: "" }));
  return [...declared.filter((t) => used.has(t.name)), ...extra];
}

function anchorOf(group: OperationGroup): string {
  return `op-${slug(group.entries[0]!.operationId)}`;
}

function methodBadges(group: OperationGroup): string {
  if (group.entries.length > 1) return `<span class="method m-any">ANY</span>`;
  const method = group.entries[0]!.method;
  return `<span class="method m-${slug(method)}">${escapeHtml(method.toUpperCase())}</span>`;
}

function renderGroup(group: OperationGroup, document: Json, options: RenderOptions): string {
  const { op, path, entries } = group;
  const extraAnchors = entries.slice(1).map((e) => `<span id="op-${slug(e.operationId)}"></span>`).join("");
  const methods =
    entries.length > 1
      ? `<p class="methods muted">Any method: ${entries.map((e) => `<code>${escapeHtml(e.method.toUpperCase())}</code>`).join(", ")}; one operation each in the document (${entries.map((e) => `<code>${escapeHtml(e.operationId)}</code>`).join(", ")}).</p>`
      : `<p class="methods muted">operationId <code>${escapeHtml(entries[0]!.operationId)}</code></p>`;
  return `<section class="op" id="${anchorOf(group)}">${extraAnchors}
<h3><a class="self" href="#${anchorOf(group)}">${methodBadges(group)} <code>${escapeHtml(path)}</code></a></h3>
<p class="summary">${inline(str(op.summary))}</p>
${methods}
${prose(str(op.description))}
${renderSecurity(op, document)}
${renderParameters(arr(op.parameters), document)}
${renderRequestBody(obj(op.requestBody), document)}
${renderUpstreamHeaders(arr(op["x-upstream-request-headers"]))}
${renderResponses(obj(op.responses), document)}
${renderErrors(obj(op.responses))}
<h4>Example</h4>
<pre><code>${escapeHtml(curlExample(group, document, options))}</code></pre>
</section>`;
}

function renderSecurity(op: Json, document: Json): string {
  const requirements = arr(op.security ?? document.security);
  const names = requirements.flatMap((r) => Object.keys(obj(r)));
  if (!names.length) return `<p><strong>Authentication:</strong> none.</p>`;
  const schemes = obj(obj(document.components).securitySchemes);
  const described = names.map((name) => `<a href="#security-${slug(name)}">${escapeHtml(schemeLabel(name, obj(schemes[name])))}</a>`);
  return `<p><strong>Authentication:</strong> ${described.join(" or ")}.</p>`;
}

function schemeLabel(name: string, scheme: Json): string {
  if (scheme.type === "apiKey") return `${str(scheme.name)} ${str(scheme.in)} (${name})`;
  if (scheme.type === "http" && str(scheme.scheme).toLowerCase() === "bearer") return `Authorization: Bearer $${str(scheme["x-curl-variable"]) || name} (${name})`;
  return `${name} (${str(scheme.type)})`;
}

function renderParameters(parameters: unknown[], document: Json): string {
  if (!parameters.length) return "";
  const rows = parameters
    .map((p) => {
      const parameter = obj(p);
      const schema = obj(parameter.schema);
      const example = parameter.example === undefined ? "" : ` Example: <code>${escapeHtml(String(parameter.example))}</code>.`;
      return `<tr><td class="nw"><code>${escapeHtml(str(parameter.name))}</code></td><td>${escapeHtml(str(parameter.in))}</td><td>${typeLabel(schema, document)}</td><td>${parameter.required ? "yes" : "no"}</td><td>${inline(str(parameter.description))}${constraints(schema)}${example}</td></tr>`;
    })
    .join("");
  return `<h4>Parameters</h4><div class="scroll"><table><thead><tr><th>Name</th><th>In</th><th>Type</th><th>Required</th><th>Description</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

function renderRequestBody(body: Json, document: Json): string {
  const content = obj(body.content);
  if (!Object.keys(content).length) return "";
  return Object.entries(content)
    .map(([type, media]) => {
      const example = obj(media).example;
      return `<h4>Request body <span class="muted">${escapeHtml(type)}, ${body.required ? "required" : "optional"}</span></h4>
${renderSchema(obj(obj(media).schema), document)}
${example === undefined ? "" : `<p class="muted">Example:</p><pre><code>${escapeHtml(JSON.stringify(example, null, 2))}</code></pre>`}`;
    })
    .join("");
}

function renderUpstreamHeaders(headers: unknown[]): string {
  if (!headers.length) return "";
  const rows = headers.map((h) => `<tr><td class="nw"><code>${escapeHtml(str(obj(h).name))}</code></td><td>${inline(str(obj(h).description))}</td></tr>`).join("");
  return `<h4>Headers the Worker adds upstream</h4><div class="scroll"><table><thead><tr><th>Header</th><th>Value</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

function isProblemResponse(response: Json): boolean {
  return Array.isArray(response["x-problems"]);
}

function renderResponses(responses: Json, document: Json): string {
  const rendered = Object.entries(responses)
    .filter(([, r]) => !isProblemResponse(obj(r)))
    .map(([status, r]) => {
      const response = obj(r);
      const content = Object.entries(obj(response.content))
        .map(([type, media]) => {
          const schema = obj(obj(media).schema);
          return `<p class="muted">${escapeHtml(type)}</p>${Object.keys(schema).length ? renderSchema(schema, document) : ""}`;
        })
        .join("");
      return `<h5>${escapeHtml(status === "default" ? "Any status" : status)} <span class="muted">${inline(str(response.description))}</span></h5>
${renderResponseHeaders(obj(response.headers))}${content}`;
    })
    .join("\n");
  return rendered ? `<h4>Responses</h4>${rendered}` : "";
}

function renderResponseHeaders(headers: Json): string {
  const names = Object.keys(headers);
  if (!names.length) return "";
  return `<p>Headers: ${headerLinks(headers)}</p>`;
}

function headerLinks(headers: Json): string {
  return Object.keys(headers)
    .map((name) => {
      const ref = str(obj(headers[name]).$ref);
      const target = ref ? `#header-${slug(refName(ref))}` : "";
      return target ? `<a href="${target}"><code>${escapeHtml(name)}</code></a>` : `<code>${escapeHtml(name)}</code>`;
    })
    .join(", ");
}

function renderErrors(responses: Json): string {
  const rows = Object.entries(responses)
    .filter(([, r]) => isProblemResponse(obj(r)))
    .flatMap(([status, r]) => {
      const response = obj(r);
      return arr(response["x-problems"]).map((p) => {
        const problem = obj(p);
        const names = arr(problem.headers).map(str);
        const headers = names.length ? ` <span class="muted">With ${headerLinks(Object.fromEntries(names.map((n) => [n, obj(obj(response.headers)[n])])))}.</span>` : "";
        return `<tr><td class="nw">${escapeHtml(status)}</td><td class="nw"><code>${escapeHtml(str(problem.code))}</code></td><td>${inline(str(problem.meaning))}${headers}</td></tr>`;
      });
    });
  if (!rows.length) return "";
  return `<h4>Errors <span class="muted">application/problem+json, see <a href="#errors">Errors</a></span></h4><div class="scroll"><table><thead><tr><th>Status</th><th>Code</th><th>Meaning</th></tr></thead><tbody>${rows.join("")}</tbody></table></div>`;
}

// ── curl ───────────────────────────────────────────────────────────────────────────────────

/** A copyable curl line: example path values, the scheme's credential as a shell variable, the example body. */
function curlExample(group: OperationGroup, document: Json, options: RenderOptions): string {
  const { op } = group;
  const method = group.entries[0]!.method;
  let path = group.path;
  for (const p of arr(op.parameters)) {
    const parameter = obj(p);
    if (parameter.in !== "path") continue;
    const value = parameter.example === undefined ? str(parameter.name) : String(parameter.example);
    path = path.replace(`{${str(parameter.name)}}`, value.split("/").map(encodeURIComponent).join("/"));
  }
  const lines = [`curl${method === "get" ? "" : method === "head" ? " -I" : ` -X ${method.toUpperCase()}`} ${shellQuote(options.origin + path)}`];
  const schemes = obj(obj(document.components).securitySchemes);
  const first = Object.keys(obj(arr(op.security ?? document.security)[0]))[0];
  if (first) {
    const scheme = obj(schemes[first]);
    // Inside double quotes in a shell: only a variable name and a header token, nothing to expand.
    const variable = `$${(str(scheme["x-curl-variable"]) || first.toUpperCase()).replace(/\W/g, "")}`;
    if (scheme.type === "apiKey" && scheme.in === "header") lines.push(`-H "${str(scheme.name).replace(/[^\w-]/g, "")}: ${variable}"`);
    else if (scheme.type === "http") lines.push(`-H "Authorization: Bearer ${variable}"`);
  }
  const media = obj(obj(obj(op.requestBody).content)["application/json"]);
  if (media.example !== undefined) {
    lines.push(`-H 'Content-Type: application/json'`);
    lines.push(`-d ${shellQuote(JSON.stringify(media.example))}`);
  }
  const text = lines.join(" \\\n  ");
  return group.entries.length > 1 ? `# any method; for example ${method.toUpperCase()}:\n${text}` : text;
}

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

// ── Shared sections ────────────────────────────────────────────────────────────────────────

function renderSecuritySchemes(schemes: Json): string {
  const items = Object.entries(schemes)
    .map(([name, s]) => {
      const scheme = obj(s);
      const how =
        scheme.type === "apiKey"
          ? `API key in the <code>${escapeHtml(str(scheme.name))}</code> ${escapeHtml(str(scheme.in))}`
          : scheme.type === "http"
            ? `HTTP ${escapeHtml(str(scheme.scheme))}${scheme.bearerFormat ? ` (${escapeHtml(str(scheme.bearerFormat))})` : ""}: <code>Authorization: Bearer $${escapeHtml(str(scheme["x-curl-variable"]) || name)}</code>`
            : escapeHtml(str(scheme.type));
      return `<dt id="security-${slug(name)}"><code>${escapeHtml(name)}</code></dt><dd>${how}. ${inline(str(scheme.description))}</dd>`;
    })
    .join("");
  return `<section aria-labelledby="authentication"><h2 id="authentication">Authentication</h2><dl>${items}</dl></section>`;
}

function renderErrorsIntro(document: Json): string {
  const schemas = obj(obj(document.components).schemas);
  const parts = ["Problem", "InvalidApiKeyProblem"]
    .filter((name) => schemas[name])
    .map((name) => `<p><a href="#schema-${slug(name)}">${escapeHtml(name)}</a>: ${inline(str(obj(schemas[name]).description))}</p>`)
    .join("");
  return `<section aria-labelledby="errors"><h2 id="errors">Errors</h2>
<p>Every error is <code>application/problem+json</code> (RFC 9457) with a stable <code>code</code>; each operation lists the codes it can answer and what they mean.</p>
${parts}</section>`;
}

function renderHeaders(headers: Json): string {
  const rows = Object.entries(headers)
    .map(([name, h]) => {
      const header = obj(h);
      return `<tr id="header-${slug(name)}"><td class="nw"><code>${escapeHtml(name)}</code></td><td>${escapeHtml(str(obj(header.schema).type))}</td><td>${inline(str(header.description))}</td></tr>`;
    })
    .join("");
  return `<section aria-labelledby="headers"><h2 id="headers">Rate-limit and other headers</h2><div class="scroll"><table><thead><tr><th>Header</th><th>Type</th><th>Meaning</th></tr></thead><tbody>${rows}</tbody></table></div></section>`;
}

function renderSchemas(schemas: Json, document: Json): string {
  const items = Object.entries(schemas)
    .map(([name, schema]) => `<section class="schema" id="schema-${slug(name)}"><h3><code>${escapeHtml(name)}</code></h3>${prose(str(obj(schema).description))}${renderSchema(obj(schema), document, false)}</section>`)
    .join("\n");
  return `<section aria-labelledby="schemas"><h2 id="schemas">Schemas</h2>${items}</section>`;
}

// ── JSON Schema as tables ──────────────────────────────────────────────────────────────────

interface Row {
  name: string;
  type: string;
  required: boolean;
  description: string;
}

/** A schema as a property table; a top-level `$ref` is named, linked and expanded once. */
function renderSchema(schema: Json, document: Json, followTopRef = true): string {
  let target = schema;
  let heading = "";
  if (followTopRef && typeof schema.$ref === "string") {
    const name = refName(schema.$ref);
    heading = `<p>Schema <a href="#schema-${slug(name)}"><code>${escapeHtml(name)}</code></a></p>`;
    target = obj(resolve(document, schema.$ref));
  }
  const rows = propertyRows(target, document, "", 0);
  if (!rows.length) {
    return `${heading}<p>Type: ${typeLabel(target, document)}${constraints(target)}</p>`;
  }
  const body = rows
    .map((r) => `<tr><td class="nw"><code>${escapeHtml(r.name)}</code></td><td>${r.type}</td><td>${r.required ? "yes" : "no"}</td><td>${r.description}</td></tr>`)
    .join("");
  return `${heading}<div class="scroll"><table><thead><tr><th>Property</th><th>Type</th><th>Required</th><th>Description</th></tr></thead><tbody>${body}</tbody></table></div>`;
}

/** Rows for an object's properties; inline objects (and arrays of them) are flattened as `a.b` / `a[].b`. */
function propertyRows(schema: Json, document: Json, prefix: string, depth: number): Row[] {
  if (depth > 6) return [];
  const properties = obj(schema.properties);
  const required = new Set(arr(schema.required).map(String));
  const rows: Row[] = [];
  for (const [name, p] of Object.entries(properties)) {
    const property = obj(p);
    rows.push({
      name: prefix + name,
      type: typeLabel(property, document),
      required: required.has(name),
      description: inline(str(property.description)) + constraints(property),
    });
    const inner = inlineObject(property);
    if (inner) rows.push(...propertyRows(inner.schema, document, `${prefix}${name}${inner.suffix}.`, depth + 1));
  }
  return rows;
}

/** The inline object schema under a property (itself, its array items, or its non-null branch), if any. */
function inlineObject(schema: Json): { schema: Json; suffix: string } | null {
  if (schema.$ref) return null;
  if (Object.keys(obj(schema.properties)).length) return { schema, suffix: "" };
  if (schema.type === "array") {
    const items = obj(schema.items);
    if (!items.$ref && Object.keys(obj(items.properties)).length) return { schema: items, suffix: "[]" };
  }
  for (const branch of arr(schema.anyOf ?? schema.oneOf)) {
    const found = inlineObject(obj(branch));
    if (found) return found;
  }
  return null;
}

/** A readable type: `string`, `integer`, `string | null`, `array of Key` (linked), `"active" | "revoked"`. */
function typeLabel(schema: Json, document: Json): string {
  if (typeof schema.$ref === "string") {
    const name = refName(schema.$ref);
    return `<a href="#schema-${slug(name)}">${escapeHtml(name)}</a>`;
  }
  if ("const" in schema) return `<code>${escapeHtml(JSON.stringify(schema.const))}</code>`;
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => `<code>${escapeHtml(JSON.stringify(v))}</code>`).join(" | ");
  const union = arr(schema.anyOf ?? schema.oneOf);
  if (union.length) return union.map((branch) => typeLabel(obj(branch), document)).join(" | ");
  const all = arr(schema.allOf);
  if (all.length) return all.map((branch) => typeLabel(obj(branch), document)).join(" &amp; ");
  const types = Array.isArray(schema.type) ? schema.type.map(String) : typeof schema.type === "string" ? [schema.type] : [];
  if (!types.length) return "any";
  return types
    .map((type) => {
      if (type === "array") return `array of ${typeLabel(obj(schema.items), document)}`;
      if (type === "object" && !Object.keys(obj(schema.properties)).length && typeof schema.additionalProperties === "object") {
        return `map of ${typeLabel(obj(schema.additionalProperties), document)}`;
      }
      const format = typeof schema.format === "string" && type !== "null" ? ` <span class="muted">(${escapeHtml(schema.format)})</span>` : "";
      return escapeHtml(type) + format;
    })
    .join(" | ");
}

/** Limits worth knowing, after the description: pattern, lengths, bounds, default (of a union's branches too). */
function constraints(schema: Json): string {
  const parts = constraintParts(schema);
  return parts.length ? ` <span class="muted">${parts.join("; ")}.</span>` : "";
}

function constraintParts(schema: Json): string[] {
  const parts: string[] = [];
  const range = (min: unknown, max: unknown, unit: string) => {
    const [low, high, suffix] = [escapeHtml(str(min)), escapeHtml(str(max)), unit ? ` ${unit}` : ""];
    if (min !== undefined && max !== undefined) parts.push(`${low}–${high}${suffix}`);
    else if (min !== undefined) parts.push(`at least ${low}${suffix}`);
    else if (max !== undefined) parts.push(`at most ${high}${suffix}`);
  };
  // zod's .int() bounds every integer by ±Number.MAX_SAFE_INTEGER: no news to a reader.
  const bound = (n: unknown) => (typeof n === "number" && Math.abs(n) >= Number.MAX_SAFE_INTEGER ? undefined : n);
  range(schema.minLength, schema.maxLength, "characters");
  range(schema.minItems, schema.maxItems, "items");
  range(bound(schema.minimum), bound(schema.maximum), "");
  if (typeof schema.pattern === "string") parts.push(`pattern <code>${escapeHtml(schema.pattern)}</code>`);
  if (schema.default !== undefined) parts.push(`default <code>${escapeHtml(JSON.stringify(schema.default))}</code>`);
  const items = obj(schema.items);
  if (typeof items.pattern === "string") parts.push(`each item matches <code>${escapeHtml(items.pattern)}</code>`);
  for (const branch of arr(schema.anyOf ?? schema.oneOf)) parts.push(...constraintParts(obj(branch)));
  return parts;
}

// ── JSON helpers ───────────────────────────────────────────────────────────────────────────

const EMPTY: Json = Object.freeze({}) as Json;

function obj(value: unknown): Json {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : EMPTY;
}

function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function str(value: unknown): string {
  return typeof value === "string" ? value : value === undefined || value === null ? "" : String(value);
}

function refName(ref: string): string {
  return (ref.split("/").pop() ?? ref).replaceAll("~1", "/").replaceAll("~0", "~");
}

function resolve(document: Json, ref: string): unknown {
  if (!ref.startsWith("#/")) return undefined;
  let node: unknown = document;
  for (const token of ref.slice(2).split("/")) node = obj(node)[token.replaceAll("~1", "/").replaceAll("~0", "~")];
  return node;
}

/** An id-safe form of a name: letters, digits, `-` and `_` only. */
function slug(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]+/g, "-");
}
