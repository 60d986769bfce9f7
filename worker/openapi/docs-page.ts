import { OPERATIONS } from "./operations";
import { openApiDocument } from "./openapi-document";

/**
 * `/docs`: a self-contained HTML reference of the management API, rendered from the OpenAPI
 * document (no CDN: it works offline in `wrangler dev`). Every value is HTML-escaped.
 *
 * @example
 * app.get("/docs", (c) => c.html(docsPage()));
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
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1f2328}
code,pre{font:14px ui-monospace,monospace}pre{background:#f6f8fa;padding:1rem;overflow:auto}section{border-top:1px solid #d0d7de;padding:.5rem 0}</style>
</head><body>
<h1>API keys — API reference</h1>
<p>Machine-readable: <a href="/v1/openapi.json">/v1/openapi.json</a> (OpenAPI 3.1). Errors are RFC 9457 <code>application/problem+json</code>.
The key-protected API takes <code>X-API-Key</code>; see the README for its contract.</p>
${sections}
</body></html>`;
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
