import { limiterIdOf } from "../keys/key-format";
import type { KeyAuthority } from "./key-authority";

/**
 * The Durable Object stub of a key's chain: keys that share a limiter id share one object.
 *
 * @example
 * const result = await authorityFor(env, keyId).verify(keyId, digest);
 */
export function authorityFor(env: Env, keyId: string): DurableObjectStub<KeyAuthority> {
  return authorityForChain(env, limiterIdOf(keyId));
}

/**
 * The stub of a key's chain with a Cloudflare location hint ("weur", "apac"…): if this call
 * creates the object, it is created there. A hint on an object that exists already changes
 * nothing.
 *
 * @example
 * await authorityWithHint(env, keyId, "weur").place(keyId, "weur");
 */
export function authorityWithHint(env: Env, keyId: string, hint: DurableObjectLocationHint): DurableObjectStub<KeyAuthority> {
  return env.KEY_AUTHORITY.get(env.KEY_AUTHORITY.idFromName(limiterIdOf(keyId)), { locationHint: hint });
}

/**
 * The Durable Object of a chain named by its limiter id (the first 12 characters of its key ids).
 *
 * @example
 * await authorityForChain(env, chain).setCreator(creator);
 */
export function authorityForChain(env: Env, chain: string): DurableObjectStub<KeyAuthority> {
  return env.KEY_AUTHORITY.get(env.KEY_AUTHORITY.idFromName(chain));
}
