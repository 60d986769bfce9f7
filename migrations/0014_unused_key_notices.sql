-- Automatic revocation of unused keys (an org's revokeUnusedAfterDays; the scheduled run,
-- worker/lifecycle/unused-keys.ts). A key is unused since its last use, or its creation if never
-- used: coalesce(last_used_at, created_at), its "idle basis". It is announced (key.expiring with
-- reason unused) 7 days before it is revoked, once per idle basis: a use in between moves the
-- basis, and the key is announced again when it has been idle long enough again.
-- unused_notice_for: the idle basis the announcement was about; NULL while none was sent.
-- unused_revoke_at: the revocation time announced (never earlier than 7 days after the notice).
ALTER TABLE api_keys ADD COLUMN unused_notice_for INTEGER;
ALTER TABLE api_keys ADD COLUMN unused_revoke_at INTEGER;

-- Each org's live keys by idle basis: the run reads, per org with the policy, only the keys idle
-- long enough (a range of this index), never the org's other keys.
CREATE INDEX api_keys_by_idle ON api_keys (org_id, coalesce(last_used_at, created_at))
  WHERE revoked_at IS NULL AND rotated_to_id IS NULL;
