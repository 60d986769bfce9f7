import { OPERATIONS } from "./operations";
import { openApiDocument } from "./openapi-document";

/**
 * The page's one stylesheet, inline so that `/docs` stays a single self-contained response.
 * `docsPolicy()` allows exactly these bytes by hash, and no other style or any script.
 */
const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1f2328}
code,pre{font:14px ui-monospace,monospace}pre{background:#f6f8fa;padding:1rem;overflow:auto}section{border-top:1px solid #d0d7de;padding:.5rem 0}`;

/**
 * `/docs`: a self-contained HTML reference of the management API, rendered from the OpenAPI
 * document (no CDN: it works offline in `wrangler dev`). Every value is HTML-escaped. It has no
 * script; serve it with `docsPolicy()`.
 *
 * @example
 * app.get("/docs", async (c) => c.html(docsPage(), 200, { "Content-Security-Policy": await docsPolicy() }));
 */
export function docsPage(): string {
  const doc = openApiDocument() as { paths: Record<string, Record<string, { requestBody?: unknown; responses: unknown; parameters: unknown[] }>> };
  const sections = OPERATIONS.map((op) => {
    const detail = doc.paths[op.path]?.[op.method];
    return `<section id="${escape(`${op.method}-${op.path}`)}">
  <h2><code>${op.method.toUpperCase()} ${escape(op.path)}</code></h2>
  <p>${escape(op.summary)} · auth: ${op.security}</p>
  <details><summary>Parameters, body and responses</summary><pre>${escape(JSON.stringify({ parameters: detail?.parameters, requestBody: detail?.requestBody, responses: detail?.responses }, null, 2))}</pre></details>
</section>`;
  }).join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>API keys — API reference</title>
<style>${STYLE}</style>
</head><body>
<h1>API keys — API reference</h1>
<p>Machine-readable: <a href="/v1/openapi.json">/v1/openapi.json</a> (OpenAPI 3.1). Errors are RFC 9457 <code>application/problem+json</code>.
The key-protected API takes <code>X-API-Key</code>; see the README for its contract.</p>
${sections}
</body></html>`;
}

let policy: string | undefined;

/**
 * The Content-Security-Policy of `/docs`: nothing loads, no script runs, and the one style
 * allowed is the page's own `<style>`, by its SHA-256. Computed once per isolate.
 *
 * @example
 * await docsPolicy(); // "default-src 'none'; style-src 'sha256-…'; … frame-ancestors 'none'"
 */
export async function docsPolicy(): Promise<string> {
  policy ??= `default-src 'none'; style-src 'sha256-${await sha256Base64(STYLE)}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
  return policy;
}

async function sha256Base64(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return btoa(String.fromCharCode(...new Uint8Array(digest)));
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
