import { env } from "cloudflare:workers";
import { readConfig } from "../../../worker/config";
import { encodeBase62, randomBase62 } from "../../../worker/crypto/base62";
import { crc32 } from "../../../worker/crypto/crc32";
import { generateApiKey, KEY_ID_LENGTH, SECRET_LENGTH, TAG_LENGTH, tagOf } from "../../../worker/keys/key-format";

const PREFIX = "ak_live_";

/**
 * A well-formed key with a correct checksum, built the way an attacker or a test needs it:
 * - `tag: "valid"` (default) tags the id with the deployment's current tag secret (only the
 *   server can do this; a test may, to reach the Durable Object of a known id);
 * - `tag: "forged"` puts random characters where the tag goes, as anyone can;
 * - `tagSecretId` names another tag-secret entry (e.g. one that is not configured).
 * The secret part is always random, so for a real key's `id` this is "right id, wrong secret".
 *
 * @example
 * const wrongSecret = await keyFor({ id: key.id });
 * const forged = await keyFor({ tag: "forged" });
 */
export async function keyFor(options: { id?: string; tag?: "valid" | "forged"; tagSecretId?: string; prefix?: string } = {}): Promise<string> {
  const prefix = options.prefix ?? PREFIX;
  const id = options.id ?? randomBase62(KEY_ID_LENGTH);
  const secrets = readConfig(env).keyTagSecrets;
  const tagSecretId = options.tagSecretId ?? secrets.current.id;
  const tagSecret = secrets.byId.get(tagSecretId) ?? secrets.current.secret;
  const tag = options.tag === "forged" ? randomBase62(TAG_LENGTH) : await tagOf(prefix, id, tagSecret);
  const unchecked = prefix + id + tagSecretId + tag + randomBase62(SECRET_LENGTH);
  return unchecked + encodeBase62(crc32(unchecked), 6);
}

/**
 * A key minted exactly as the Worker mints them (current tag secret), never registered anywhere.
 *
 * @example
 * const { id, secret } = await unregisteredKey();
 */
export function unregisteredKey(prefix = PREFIX) {
  return generateApiKey(prefix, readConfig(env).keyTagSecrets.current);
}
