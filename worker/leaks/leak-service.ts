import type { Config } from "../config";
import type { Actor, RequestOrigin } from "../audit/audit-types";
import { AuditStore, type AuditRecord } from "../audit/audit-store";
import { sha256Hex } from "../crypto/ecdsa";
import { digestKey, digestsEqual } from "../crypto/hmac";
import { hasValidTag, parseApiKey } from "../keys/key-format";
import type { KeyRecordWithCreator } from "../keys/key-record";
import { KeyStore } from "../keys/key-store";
import { revokeKey } from "../manage/revoke-key";
import { effectivePolicy, OrgPolicyStore } from "../orgs/org-policy";
import { batchWithWebhooks } from "../webhooks/webhook-queue";
import type { LeakVerdict, ReportedToken } from "./leak-schemas";
import type { Reporter } from "./report-signature";

/**
 * What a confirmed leak report does. For each reported token that is one of this deployment's
 * keys (format, checksum, id tag and stored digest all match, the same checks as a request to
 * `/api/*`), the key's org's policy applies (its `leakPolicy`, set through the admin API, else
 * the deployment's `LEAK_POLICY`), read when the report arrives:
 *
 * - `revoke`: the key is revoked through its Durable Object exactly like a manual revoke, so no
 *   request is admitted once the report's answer has left; a `key.revoked` event names the
 *   report as its actor;
 * - `flag`: the key keeps working.
 *
 * Either way the leak is recorded on the key once (`leak: { at, url }`: the first report's time
 * and URL) with one `key.leaked` event (its id is derived from the key's, so a repeated or
 * concurrent report cannot write a second), whose detail holds the URL and what was done
 * (`action`: revoked, flagged, or already_revoked when it was revoked before the report). A repeated report changes nothing: the revocation
 * time stands, no event is added. Everything else is `false_positive`, and nothing more is said.
 *
 * @example
 * const verdicts = await new LeakService(env, config).report(tokens, "github", origin);
 */
export class LeakService {
  private readonly keys: KeyStore;

  constructor(
    private readonly env: Env,
    private readonly config: Config,
    private readonly clock: () => number = Date.now,
  ) {
    this.keys = new KeyStore(env.DB);
  }

  /** One verdict per reported token, in order; a token named twice in one report is handled once. */
  async report(tokens: readonly ReportedToken[], reporter: Reporter, origin: RequestOrigin): Promise<LeakVerdict[]> {
    const handled = new Map<string, boolean>();
    const verdicts: LeakVerdict[] = [];
    for (const reported of tokens) {
      let ours = handled.get(reported.token);
      if (ours === undefined) {
        const key = await this.match(reported.token);
        if (key) await this.act(key, reported.url, reporter, origin);
        ours = key !== null;
        handled.set(reported.token, ours);
      }
      verdicts.push({ token_hash: await sha256Hex(reported.token), token_type: reported.type, label: ours ? "true_positive" : "false_positive" });
    }
    return verdicts;
  }

  /** The stored key a token is, or null: the checks of `/api/*` up to the digest, against D1 (the key's object is not woken for a foreign token). */
  private async match(token: string): Promise<KeyRecordWithCreator | null> {
    const parsed = parseApiKey(token, this.config.keyPrefix);
    if (!parsed || !(await hasValidTag(parsed, this.config.keyPrefix, this.config.keyTagSecrets))) return null;
    const record = await this.keys.findById(parsed.id);
    if (!record) return null;
    return digestsEqual(record.secretDigest, await digestKey(parsed.secret, this.config.keyHashSecret)) ? record : null;
  }

  private async act(key: KeyRecordWithCreator, url: string, reporter: Reporter, origin: RequestOrigin): Promise<void> {
    const now = this.clock();
    const actor: Actor = { type: "leak_report", id: reporter };
    const { leakPolicy } = effectivePolicy((await new OrgPolicyStore(this.env.DB).get(key.orgId)).settings, this.config);
    // Exactly a manual revocation: the edge refuses the key once this returns; a repeat changes nothing.
    if (leakPolicy === "revoke" && key.revokedAt === null) await revokeKey(this.env, key, now, actor, origin, "leaked");
    if (key.leak !== null) return;
    const detail = { url, action: key.revokedAt !== null ? "already_revoked" : leakPolicy === "revoke" ? "revoked" : "flagged" };
    const leaked: AuditRecord = { id: `evt_leaked_${key.id}`, ...this.eventOf(key, actor, now, origin), action: "key.leaked", detail };
    await batchWithWebhooks(this.env, [this.keys.markLeaked(key.id, now, url), new AuditStore(this.env.DB).append(leaked)], [leaked]);
  }

  private eventOf(key: KeyRecordWithCreator, actor: Actor, at: number, origin: RequestOrigin): Omit<AuditRecord, "id" | "action"> {
    return { orgId: key.orgId, at, actor, ownerId: key.createdBy, keyId: key.id, origin };
  }
}
