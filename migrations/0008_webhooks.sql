-- Webhooks (README "Webhooks"): an org's endpoints, the events owed a fan-out, one delivery per
-- event and endpoint, and every attempt. Times are epoch milliseconds, like every time column.

-- An org's endpoints, registered by its admins. The signing secret is not stored: it is derived
-- from secret_salt under KEY_HASH_SECRET when a message is signed (worker/webhooks/signing-secret.ts),
-- so a copy of this table alone cannot forge a webhook.
CREATE TABLE webhook_endpoints (
  id           TEXT    PRIMARY KEY,                 -- whk_ + 24 base62
  org_id       TEXT    NOT NULL,
  url          TEXT    NOT NULL,
  events       TEXT    NOT NULL,                    -- JSON array of event types, e.g. ["key.revoked"]
  description  TEXT,
  enabled      INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  secret_salt  TEXT    NOT NULL,
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL
);
CREATE INDEX webhook_endpoints_by_org ON webhook_endpoints (org_id, created_at, id);

-- Audit events some endpoint is owed, until the fan-out turns them into deliveries. Written only
-- by the trigger below, so every path that appends an audit event owes its webhooks atomically.
CREATE TABLE webhook_outbox (
  event_id   TEXT    PRIMARY KEY,
  org_id     TEXT    NOT NULL,
  queued_at  INTEGER NOT NULL
);

-- One delivery per event and endpoint (never two: UNIQUE), with the body it sends on every
-- attempt. generation changes when a resend or the sweep starts a new sequence of attempts, so a
-- message of an older sequence still in the queue is dropped instead of sent.
CREATE TABLE webhook_deliveries (
  id                    TEXT    PRIMARY KEY,        -- whd_ + 24 base62
  endpoint_id           TEXT    NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
  org_id                TEXT    NOT NULL,
  event_id              TEXT    NOT NULL,
  event_type            TEXT    NOT NULL,
  payload               TEXT    NOT NULL,           -- the JSON body; never a secret
  status                TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'retrying', 'failed')),
  attempts              INTEGER NOT NULL DEFAULT 0,
  generation            INTEGER NOT NULL DEFAULT 0,
  last_attempt_at       INTEGER,
  last_response_status  INTEGER,
  next_attempt_at       INTEGER,
  created_at            INTEGER NOT NULL,
  UNIQUE (event_id, endpoint_id)
);
CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_id, created_at DESC, id DESC);
CREATE INDEX webhook_deliveries_open ON webhook_deliveries (status, next_attempt_at);

-- Every attempt of a delivery, numbered from 1.
CREATE TABLE webhook_attempts (
  delivery_id      TEXT    NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
  n                INTEGER NOT NULL,
  at               INTEGER NOT NULL,
  response_status  INTEGER,                         -- null: no answer (timeout, network error, refused URL)
  duration_ms      INTEGER NOT NULL,
  error            TEXT,                            -- at most 200 characters
  PRIMARY KEY (delivery_id, n)
) WITHOUT ROWID;

-- An audit event is owed to webhooks when it is one of the webhook events and an enabled endpoint
-- of its org listens for it. Part of the very INSERT that appends the event (the Durable Objects'
-- outboxes, key creation, leak reports, the cron), so no path can forget it; an org without
-- endpoints pays one indexed lookup that finds nothing.
CREATE TRIGGER audit_events_owe_webhooks AFTER INSERT ON audit_events
WHEN NEW.action IN ('key.created', 'key.revoked', 'key.rotated', 'key.leaked', 'key.expiring', 'key.expired', 'user.deactivated')
  AND EXISTS (
    SELECT 1 FROM webhook_endpoints e, json_each(e.events) t
    WHERE e.org_id = NEW.org_id AND e.enabled = 1 AND t.value = NEW.action
  )
BEGIN
  INSERT INTO webhook_outbox (event_id, org_id, queued_at) VALUES (NEW.id, NEW.org_id, NEW.at)
    ON CONFLICT (event_id) DO NOTHING;
END;
