import type { RequestOrigin } from "../audit/audit-types";

/**
 * The caller's IP (from Cloudflare's `CF-Connecting-IP`) and user agent, trimmed to sane sizes,
 * for the audit log.
 *
 * @example
 * requestOrigin(c.req.raw); // { ip: "203.0.113.7", userAgent: "curl/8.5.0" }
 */
export function requestOrigin(request: Request): RequestOrigin {
  return {
    ip: request.headers.get("CF-Connecting-IP")?.slice(0, 64) ?? null,
    userAgent: request.headers.get("User-Agent")?.slice(0, 512) ?? null,
  };
}
