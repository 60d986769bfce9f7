import type { Principal } from "../auth/principal";
import { isKeyId } from "../keys/key-format";
import type { KeyRecordWithCreator } from "../keys/key-record";
import type { KeyStore } from "../keys/key-store";

/**
 * A key the principal may see, or null alike whether the id is malformed, names another org's
 * key, another member's (without `api_keys:admin`) or none at all (SPEC §4): every use case that
 * takes a key id starts here, so all of them answer the same 404.
 *
 * @example
 * const record = await findVisibleKey(new KeyStore(env.DB), principal, id);
 * if (!record) return { ok: false, reason: "not_found" };
 */
export async function findVisibleKey(keys: KeyStore, principal: Principal, id: string): Promise<KeyRecordWithCreator | null> {
  const record = isKeyId(id) ? await keys.find(principal.orgId, id) : null;
  if (!record || (!principal.isAdmin && record.createdBy !== principal.userId)) return null;
  return record;
}
