import { escapeHtml, renderReference } from "./docs-render";

/**
 * The page's one stylesheet, inline so that `/docs` stays a single self-contained response.
 * `docsPolicy()` allows exactly these bytes by hash, and no other style or any script. Light or
 * dark follows `prefers-color-scheme`.
 */
export const DOCS_STYLE = [
  ":root{color-scheme:light dark;--fg:#1f2328;--bg:#fff;--muted:#59636e;--line:#d1d9e0;--code:#f6f8fa;--link:#0969da;--get:#1a7f37;--post:#0969da;--put:#9a6700;--delete:#cf222e;--any:#8250df}",
  "@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--muted:#9198a1;--line:#3d444d;--code:#161b22;--link:#4493f8;--get:#3fb950;--post:#4493f8;--put:#d29922;--delete:#f85149;--any:#ab7df8}}",
  "body{font:16px/1.5 system-ui,sans-serif;color:var(--fg);background:var(--bg);margin:0}",
  ".skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:var(--bg);padding:.5rem;z-index:1}",
  ".layout{display:grid;grid-template-columns:19rem minmax(0,1fr);max-width:92rem;margin:0 auto}",
  "nav{position:sticky;top:0;align-self:start;max-height:100vh;overflow:auto;padding:1rem;border-right:1px solid var(--line);font-size:14px;box-sizing:border-box}",
  "nav ul{list-style:none;padding-left:0;margin:.25rem 0}nav ul ul{padding-left:.5rem;margin-bottom:.75rem}nav li{margin:.2rem 0}nav a{text-decoration:none}nav a:hover{text-decoration:underline}",
  ".toc-title{font-weight:700;margin-top:0}",
  "main{padding:1rem 2rem 4rem;min-width:0}",
  "@media (max-width:60rem){.layout{display:block}nav{position:static;max-height:none;border-right:0;border-bottom:1px solid var(--line)}main{padding:1rem}}",
  "a{color:var(--link)}h1{font-size:1.75rem}h2{margin-top:2.5rem;border-bottom:1px solid var(--line);padding-bottom:.25rem}h3{margin:.25rem 0}h3 a.self{color:inherit;text-decoration:none}h3 code{font-size:1.05rem}h3 .method{font-size:14px}h4{margin:1.25rem 0 .25rem}h5{font-size:1rem;margin:.75rem 0 .25rem}",
  "code,pre{font:13.5px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}",
  "pre{background:var(--code);border:1px solid var(--line);border-radius:6px;padding:.75rem 1rem;overflow:auto}",
  ":not(pre)>code{background:var(--code);border-radius:4px;padding:.05em .3em;overflow-wrap:anywhere}",
  "table{border-collapse:collapse;width:100%;margin:.25rem 0 1rem;font-size:14px}th,td{border:1px solid var(--line);padding:.35rem .5rem;text-align:left;vertical-align:top}th{background:var(--code)}.nw{white-space:nowrap}td code{overflow-wrap:normal}.scroll{overflow-x:auto}",
  "section.op{border-top:1px solid var(--line);padding:1.25rem 0 .5rem;scroll-margin-top:.5rem}section.schema{scroll-margin-top:.5rem}",
  ".summary{font-size:1.05rem;font-weight:600;margin:.25rem 0}.methods{font-size:14px}.muted{color:var(--muted);font-weight:normal}",
  ".method{display:inline-block;min-width:3.6em;font:700 12px/1.6 ui-monospace,monospace;text-transform:uppercase}",
  ".m-get{color:var(--get)}.m-post{color:var(--post)}.m-put,.m-patch{color:var(--put)}.m-delete{color:var(--delete)}.m-any,.m-head,.m-options{color:var(--any)}",
  "dt{font-weight:600;margin-top:.5rem}dd{margin-left:1rem}",
].join("\n");

/** The last page rendered of each document, by origin: a document is fixed, only the curl origin varies. */
const rendered = new WeakMap<object, { origin: string; html: string }>();

/**
 * `/docs`: a self-contained HTML reference rendered from the OpenAPI document in the Worker
 * (no CDN, no script: it works offline in `wrangler dev` and under `docsPolicy()`). Every
 * operation with its authentication, parameters, request and response schemas, errors and a curl
 * example against `origin`. Every value is HTML-escaped.
 *
 * @example
 * c.html(docsPage(openApiDocument(app), new URL(c.req.url).origin), 200, { "Content-Security-Policy": await docsPolicy() });
 */
export function docsPage(document: Record<string, unknown>, origin = "http://127.0.0.1:8787"): string {
  let page = rendered.get(document);
  if (page?.origin !== origin) {
    page = { origin, html: docsHtml(document, origin) };
    rendered.set(document, page);
  }
  return page.html;
}

/**
 * The whole page for any OpenAPI document: {@link docsPage} without the cache, for tests and
 * other documents.
 *
 * @example
 * docsHtml(openApiDocument(app), "https://keys.example.com"); // "<!doctype html>…"
 */
export function docsHtml(document: Record<string, unknown>, origin: string): string {
  const info = (document.info ?? {}) as { title?: unknown };
  const title = typeof info.title === "string" ? info.title : "API";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${escapeHtml(title)} — API reference</title>
<style>${DOCS_STYLE}</style>
</head><body>
<a class="skip" href="#main">Skip to the reference</a>
<div class="layout">
${renderReference(document, { origin })}
</div>
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
  policy ??= `default-src 'none'; style-src 'sha256-${await sha256Base64(DOCS_STYLE)}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
  return policy;
}

async function sha256Base64(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return btoa(String.fromCharCode(...new Uint8Array(digest)));
}
