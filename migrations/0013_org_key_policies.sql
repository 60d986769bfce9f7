-- The org policies of issue 14 (point 5), next to leak_policy: each NULL column means "the
-- deployment's default" (worker/orgs/org-policy.ts, effectivePolicy), so every existing row keeps
-- following the defaults until its org sets something.
-- require_expiry: 1 = every new key must expire (no "never"); default 0.
-- max_key_lifetime_days: the latest expiry a new key (or a rotation's successor) may get, in days
--   from its creation; default MAX_KEY_LIFETIME_DAYS.
-- default_expiry_days: the expiry a create without expiresAt gets; default none (never expires).
-- max_active_keys_per_user: the exact per-user cap; default MAX_ACTIVE_KEYS_PER_USER.
-- key_limit_ceiling: JSON array of { windowSeconds, limit }: the most a key's own rate limits may
--   allow; default 10 per 1 s and 100 per 60 s.
-- members_may_create_keys: 0 = only the org's admins create keys; default 1.
-- revoke_unused_after_days: the daily cron revokes a key unused for this many days (announced
--   7 days ahead); default none.
ALTER TABLE org_policies ADD COLUMN require_expiry INTEGER CHECK (require_expiry IN (0, 1));
ALTER TABLE org_policies ADD COLUMN max_key_lifetime_days INTEGER CHECK (max_key_lifetime_days BETWEEN 1 AND 3650);
ALTER TABLE org_policies ADD COLUMN default_expiry_days INTEGER CHECK (default_expiry_days BETWEEN 1 AND 3650);
ALTER TABLE org_policies ADD COLUMN max_active_keys_per_user INTEGER CHECK (max_active_keys_per_user BETWEEN 1 AND 10000);
ALTER TABLE org_policies ADD COLUMN key_limit_ceiling TEXT CHECK (json_valid(key_limit_ceiling));
ALTER TABLE org_policies ADD COLUMN members_may_create_keys INTEGER CHECK (members_may_create_keys IN (0, 1));
ALTER TABLE org_policies ADD COLUMN revoke_unused_after_days INTEGER CHECK (revoke_unused_after_days BETWEEN 8 AND 3650);
