import type { Context } from "hono";
import type { z } from "zod";
import { Failure, type FieldError } from "../errors/failure";
import type { ProblemSpec } from "./problem-docs";

/** Largest request body accepted, in bytes, whether or not it declares a Content-Length. */
export const MAX_BODY_BYTES = 16 * 1024;

/** What reading a JSON body can answer, for a route's documented problems. */
export const BODY_PROBLEMS: ProblemSpec[] = ["malformed_json", "payload_too_large", "unsupported_media_type", "validation_failed"];

/**
 * Reads and validates a JSON request body: 415 unless it is `application/json`, 413 past
 * {@link MAX_BODY_BYTES} (counted while streaming, so chunked bodies cannot sneak past),
 * 400 for malformed JSON, 422 with per-field errors when the schema refuses it. An absent body
 * reads as `{}` so bodiless actions (`/revoke`) need no Content-Type.
 *
 * @example
 * const input = await readJsonBody(c, CreateKeyInput);
 */
export async function readJsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  const text = await readLimitedText(c.req.raw);
  let value: unknown = {};
  if (text !== "") {
    if (!isJsonContentType(c.req.header("Content-Type"))) {
      throw new Failure("unsupported_media_type", "Send the request body as application/json.");
    }
    try {
      value = JSON.parse(text);
    } catch {
      throw new Failure("malformed_json", "The request body is not valid JSON.");
    }
  } else if (c.req.header("Content-Type") && !isJsonContentType(c.req.header("Content-Type"))) {
    throw new Failure("unsupported_media_type", "Send the request body as application/json.");
  }
  return validate(schema, value, "body");
}

/**
 * Validates any input (a parsed body or query) against a schema, turning refusals into a 422.
 *
 * @example
 * const query = validate(ListKeysQuery, c.req.query(), "query");
 */
export function validate<S extends z.ZodType>(schema: S, value: unknown, where: "body" | "query"): z.output<S> {
  const result = schema.safeParse(value);
  const errors: FieldError[] = protoMembers(value, where);
  if (!result.success) {
    for (const issue of result.error.issues) {
      errors.push({ field: issue.path.length ? issue.path.join(".") : where, message: issue.message });
    }
  }
  if (result.success && errors.length === 0) return result.data;
  throw new Failure("validation_failed", `The request ${where} has invalid fields.`, { errors });
}

/**
 * zod skips an own `__proto__` member (one `JSON.parse` creates) instead of reporting it as an
 * unknown key, so a strict schema would silently accept it. Every such member, at any depth, is
 * reported here the way zod reports other unknown keys. Iterative, and paths are only built for a
 * hit: bodies may nest thousands deep.
 */
function protoMembers(value: unknown, where: string): FieldError[] {
  const errors: FieldError[] = [];
  const stack: Frame[] = [{ node: value, key: null, parent: null }];
  for (let frame = stack.pop(); frame; frame = stack.pop()) {
    const node = frame.node;
    if (typeof node !== "object" || node === null) continue;
    if (!Array.isArray(node) && Object.hasOwn(node, "__proto__")) {
      errors.push({ field: pathOf(frame) || where, message: 'Unrecognized key: "__proto__"' });
    }
    for (const [key, child] of Object.entries(node)) stack.push({ node: child, key, parent: frame });
  }
  return errors;
}

interface Frame {
  node: unknown;
  key: string | null;
  parent: Frame | null;
}

function pathOf(frame: Frame): string {
  const keys: string[] = [];
  for (let f: Frame | null = frame; f && f.key !== null; f = f.parent) keys.unshift(f.key);
  return keys.join(".");
}

/**
 * Whether a Content-Type is JSON in UTF-8 (`application/json`, optionally `charset=utf-8`).
 *
 * @example
 * if (!isJsonContentType(c.req.header("Content-Type"))) throw new Failure("unsupported_media_type", "…");
 */
export function isJsonContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const [mediaType = "", ...params] = contentType.split(";").map((part) => part.trim().toLowerCase());
  const charset = params.find((p) => p.startsWith("charset="))?.slice("charset=".length);
  // RFC 9110 §5.6.6: a quoted parameter value is the same value as the bare token.
  return mediaType === "application/json" && (charset === undefined || charset === "utf-8" || charset === '"utf-8"');
}

// Not hono/body-limit: it trusts a Content-Length at or under the limit and reads such a body uncounted, however long it is.
async function readLimitedText(request: Request): Promise<string> {
  const bytes = await readLimitedBytes(request, MAX_BODY_BYTES);
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new Failure("malformed_json", "The request body is not valid UTF-8.");
  }
}

/**
 * Reads a request body as bytes, at most `maxBytes` (413 `payload_too_large` beyond, counted
 * while streaming, so a chunked body or a lying Content-Length cannot get past). For a route
 * that needs the exact bytes (a signed body) or a larger limit than {@link MAX_BODY_BYTES}.
 *
 * @example
 * const body = await readLimitedBytes(c.req.raw, 1024 * 1024);
 */
export async function readLimitedBytes(request: Request, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get("Content-Length") ?? "0");
  if (declared > maxBytes) throw tooLarge(maxBytes);
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

function tooLarge(maxBytes: number): Failure {
  return new Failure("payload_too_large", `Request bodies are limited to ${maxBytes} bytes.`);
}
