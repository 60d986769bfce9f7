-- Every user state has an order (issue: the newest word on a user wins). `version` is the
-- stamp of the state this row holds: a token's iat (ms, never later than its arrival) or the
-- time the admin API received an update. A write only lands when it is not older than the row.
ALTER TABLE users ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
UPDATE users SET version = updated_at;
