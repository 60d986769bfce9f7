import { env } from "cloudflare:workers";
import { vi } from "vitest";

/**
 * Counts every D1 query made anywhere in this isolate (Worker and Durable Objects alike).
 * Restore with `vi.restoreAllMocks()`.
 *
 * @example
 * const queries = countD1Queries();
 * await useKey(secret);
 * expect(queries()).toBe(0);
 */
export function countD1Queries(): () => number {
  const proto = Object.getPrototypeOf(env.DB) as Record<string, (...args: unknown[]) => unknown>;
  const spies = ["prepare", "batch", "exec", "dump", "withSession"]
    .filter((name) => typeof proto[name] === "function")
    .map((name) => vi.spyOn(proto, name as never));
  return () => spies.reduce((sum, spy) => sum + spy.mock.calls.length, 0);
}

/**
 * Counts the D1 reads made anywhere in this isolate: SELECT statements, and the sessions a key's
 * Durable Object opens to read a key from the primary (`withSession`, used for that read only).
 * Writes are left out, so a background flush (a use's time, a placement) doesn't count.
 * Restore with `vi.restoreAllMocks()`.
 *
 * @example
 * const reads = countD1Reads();
 * await useKey(secret);
 * expect(reads()).toBe(1);
 */
export function countD1Reads(): () => number {
  const proto = Object.getPrototypeOf(env.DB) as Record<string, (...args: unknown[]) => unknown>;
  let reads = 0;
  const prepare = proto.prepare!;
  vi.spyOn(proto, "prepare" as never).mockImplementation(function (this: unknown, sql: string) {
    if (/^\s*(SELECT|WITH)\b/i.test(sql)) reads++;
    return prepare.call(this, sql);
  } as never);
  const withSession = proto.withSession!;
  vi.spyOn(proto, "withSession" as never).mockImplementation(function (this: unknown, ...args: unknown[]) {
    reads++;
    return withSession.apply(this, args);
  } as never);
  return () => reads;
}

/**
 * A KEY_AUTHORITY binding (the real one underneath) that counts the stubs the Worker asks for
 * and remembers which objects they name.
 *
 * @example
 * const authority = countingAuthority();
 * await useKey(secret, "/api/whoami", { env: { KEY_AUTHORITY: authority.binding } });
 * expect(authority.calls()).toBe(1);
 */
export function countingAuthority() {
  let calls = 0;
  const binding = {
    idFromName: (name: string) => env.KEY_AUTHORITY.idFromName(name),
    get: (id: DurableObjectId) => {
      calls++;
      return env.KEY_AUTHORITY.get(id);
    },
  } as unknown as Env["KEY_AUTHORITY"];
  return { binding, calls: () => calls };
}
