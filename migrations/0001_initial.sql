-- Users the Worker has seen, keyed by (org, user). Refreshed from each verified token and from
-- the admin API; `active = 0` locks the user out of the management API and (with the edge) of
-- every key they created.
CREATE TABLE users (
  org_id       TEXT    NOT NULL,
  id           TEXT    NOT NULL,
  name         TEXT,
  permissions  TEXT    NOT NULL DEFAULT '[]', -- JSON array of strings
  active       INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  updated_at   INTEGER NOT NULL,              -- epoch milliseconds
  PRIMARY KEY (org_id, id)
) WITHOUT ROWID;

-- API key records. The secret itself is never stored: only its HMAC-SHA-256 digest and a hint.
CREATE TABLE api_keys (
  id               TEXT    PRIMARY KEY,  -- public key id, also inside the key string
  org_id           TEXT    NOT NULL,
  created_by       TEXT    NOT NULL,     -- users.id within org_id
  name             TEXT    NOT NULL,
  hint             TEXT    NOT NULL,     -- e.g. ak_live_AbCd…wXyZ
  secret_digest    TEXT    NOT NULL,     -- base64url HMAC-SHA-256 under KEY_HASH_SECRET
  scopes           TEXT,                 -- JSON array, NULL = all of the creator's permissions
  created_at       INTEGER NOT NULL,     -- epoch milliseconds, like every time column
  expires_at       INTEGER,
  lifetime_ms      INTEGER,              -- the lifetime policy a rotation carries over
  revoked_at       INTEGER,
  last_used_at     INTEGER,
  rotated_from_id  TEXT,
  rotated_to_id    TEXT
);
CREATE INDEX api_keys_by_org ON api_keys (org_id, created_at DESC, id DESC);
CREATE INDEX api_keys_by_owner ON api_keys (org_id, created_by, created_at DESC, id DESC);

-- Append-only audit log of key and user events.
CREATE TABLE audit_events (
  id          TEXT    PRIMARY KEY,
  org_id      TEXT    NOT NULL,
  at          INTEGER NOT NULL,
  action      TEXT    NOT NULL,
  actor_type  TEXT    NOT NULL,  -- 'user' | 'admin_api'
  actor_id    TEXT    NOT NULL,
  owner_id    TEXT    NOT NULL,  -- the user whose key or account the event concerns
  key_id      TEXT,
  ip          TEXT,
  user_agent  TEXT
);
CREATE INDEX audit_events_by_org ON audit_events (org_id, at DESC, id DESC);
CREATE INDEX audit_events_by_owner ON audit_events (org_id, owner_id, at DESC, id DESC);
