import type { Context } from "hono";
import type { z } from "zod";
import { Failure, type FieldError } from "../errors/failure";

/** Largest request body accepted, in bytes, whether or not it declares a Content-Length. */
export const MAX_BODY_BYTES = 16 * 1024;

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
    if (!isJson(c.req.header("Content-Type"))) {
      throw new Failure("unsupported_media_type", "Send the request body as application/json.");
    }
    try {
      value = JSON.parse(text);
    } catch {
      throw new Failure("malformed_json", "The request body is not valid JSON.");
    }
  } else if (c.req.header("Content-Type") && !isJson(c.req.header("Content-Type"))) {
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
  if (result.success) return result.data;
  const errors: FieldError[] = result.error.issues.map((issue) => ({
    field: issue.path.length ? issue.path.join(".") : where,
    message: issue.message,
  }));
  throw new Failure("validation_failed", `The request ${where} has invalid fields.`, { errors });
}

function isJson(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const [mediaType = "", ...params] = contentType.split(";").map((part) => part.trim().toLowerCase());
  const charset = params.find((p) => p.startsWith("charset="));
  return mediaType === "application/json" && (!charset || charset === "charset=utf-8");
}

async function readLimitedText(request: Request): Promise<string> {
  const declared = Number(request.headers.get("Content-Length") ?? "0");
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > MAX_BODY_BYTES) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new Failure("malformed_json", "The request body is not valid UTF-8.");
  }
}

function tooLarge(): Failure {
  return new Failure("payload_too_large", `Request bodies are limited to ${MAX_BODY_BYTES} bytes.`);
}
