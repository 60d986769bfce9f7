import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";
import { Failure } from "../errors/failure";

/**
 * Why a raw request path may not be forwarded upstream, or `null` when it may. The path is read
 * as the client sent it (before any decoding) and split on its literal `/`; each segment is then
 * percent-decoded again and again until nothing changes, so a backend that decodes once, twice
 * or more never sees what this check did not. A segment is refused when, fully decoded, it
 *
 * - holds a `/` (`%2F`, `%252F`…): the backend would see a segment boundary the Worker did not;
 * - holds a `\` (literal, `%5C`…): many servers read it as `/`;
 * - holds a NUL (`%00`…): C-based stacks cut the path there;
 * - is `.` or `..` (literal, `%2e`, `.%2E`, `%252e%252e`…), also before a `;` parameter
 *   (`..;`, which Tomcat and Spring read as `..`): the backend would climb out of the route;
 * - is not valid UTF-8 (`%c0%af`, an overlong `/` some decoders still accept).
 *
 * Double encoding is refused too (a backend or proxy that decodes twice would see the `/`). It
 * costs only segments whose *text* is itself an encoded `/`, `\`, NUL or dot segment, which no
 * route of the API needs.
 *
 * @example
 * unsafePathReason("/api/deals/42"); // null
 * unsafePathReason("/api/files/a%2Fb"); // "encoded slash"
 * unsafePathReason("/api/x/%252e%252e/admin"); // "dot segment"
 */
export function unsafePathReason(rawPath: string): string | null {
  for (const segment of rawPath.split("/")) {
    const decoded = decodeFully(segment);
    if (decoded.includes("/")) return "encoded slash";
    if (decoded.includes("\\")) return "backslash";
    if (decoded.includes("\0")) return "NUL byte";
    const name = decoded.split(";", 1)[0];
    if (name === "." || name === "..") return "dot segment";
    if (!isUtf8(decoded)) return "invalid UTF-8";
  }
  return null;
}

/**
 * Refuses with 400 `invalid_path` a path {@link unsafePathReason} rejects.
 *
 * @example
 * assertSafeUpstreamPath(new URL(c.req.url).pathname);
 */
export function assertSafeUpstreamPath(rawPath: string): void {
  const reason = unsafePathReason(rawPath);
  if (reason) {
    throw new Failure(
      "invalid_path",
      `Path refused (${reason}): encoded slashes, backslashes, dot segments, NULs and invalid UTF-8, literal or percent-encoded at any depth, are never forwarded.`,
    );
  }
}

/**
 * Middleware for the start of `/api/*`: refuses unsafe paths with 400 before the key is checked,
 * so a refused request costs no key lookup and none of the key's rate limit. `Request.url` is
 * already serialised, so its `pathname` is the path as the client spelled it, minus the dot
 * segments URL parsing collapsed.
 *
 * @example
 * api.use(upstreamPathGuard());
 * api.use(apiKeyAuth());
 */
export function upstreamPathGuard(): MiddlewareHandler<AppEnv> {
  return async function upstreamPathGuardHandler(c, next) {
    assertSafeUpstreamPath(new URL(c.req.url).pathname);
    await next();
  };
}

const ENCODED_BYTE = /%([0-9a-f]{2})/gi;

/** Percent-decodes until stable, byte for byte (each char of the result is one byte). Ends: every pass that changes the string shortens it. */
function decodeFully(segment: string): string {
  let current = toBinary(segment);
  for (;;) {
    const next = current.replace(ENCODED_BYTE, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    if (next === current) return current;
    current = next;
  }
}

/** A string as its UTF-8 bytes, one char per byte. */
function toBinary(text: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return binary;
}

function isUtf8(binary: string): boolean {
  try {
    new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(Uint8Array.from(binary, (ch) => ch.charCodeAt(0)));
    return true;
  } catch {
    return false;
  }
}
