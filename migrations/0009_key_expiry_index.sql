-- Expiry reminders (the scheduled run, worker/lifecycle/): key.expiring once a key is within 7 days
-- of its expiry, again within 1 day, and key.expired once it has passed; each once per expiry.
--
-- expiry_notice: the last reminder sent for the key: 7 (within 7 days), 1 (within 1 day) or
--   0 (expired); NULL while none was.
-- expiry_notice_for: the expires_at that reminder was about. An expiry moved earlier (PATCH, a
--   rotation's grace period) no longer matches it, so the key is reminded of its new date.
-- expiry_notice_due_at: when the key is owed its next reminder, derived from the row (never
--   written): NULL for a key that is revoked, never expires or was told it expired; a key whose
--   successor exists (rotated away) is owed only key.expired. The run reads the keys whose due
--   time has come through the partial index below, so it costs nothing for keys with nothing due
--   and each row it reads moves on (its due time passes or disappears) once its reminder is sent.
ALTER TABLE api_keys ADD COLUMN expiry_notice INTEGER;
ALTER TABLE api_keys ADD COLUMN expiry_notice_for INTEGER;
ALTER TABLE api_keys ADD COLUMN expiry_notice_due_at INTEGER GENERATED ALWAYS AS (
  CASE
    WHEN revoked_at IS NOT NULL OR expires_at IS NULL THEN NULL
    WHEN expiry_notice_for IS expires_at AND expiry_notice = 0 THEN NULL
    WHEN rotated_to_id IS NOT NULL THEN expires_at
    WHEN expiry_notice_for IS expires_at AND expiry_notice = 1 THEN expires_at
    WHEN expiry_notice_for IS expires_at AND expiry_notice = 7 THEN expires_at - 86400000
    ELSE expires_at - 604800000
  END
) VIRTUAL;

-- Keys that expired before this migration are not announced now, long after the fact.
UPDATE api_keys SET expiry_notice = 0, expiry_notice_for = expires_at
  WHERE expires_at <= CAST(strftime('%s', 'now') AS INTEGER) * 1000;

CREATE INDEX api_keys_by_expiry_notice ON api_keys (expiry_notice_due_at) WHERE expiry_notice_due_at IS NOT NULL;
