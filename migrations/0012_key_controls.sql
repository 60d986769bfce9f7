-- Key controls (issue 14, points 3, 4 and 7).
-- enabled: 0 while the key is paused (PATCH enabled: false): its right secret gets 401
--   api_key_disabled until it is resumed. The key's Durable Object holds its own copy and decides
--   with it; this column follows it through the object's outbox.
-- description, meta: what the owner wrote about the key (at most 500 characters; a JSON object of
--   at most 4 KiB). Visible to everyone who can see the key and forwarded upstream: never a secret.
-- revoked_reason: why the key was revoked (the optional reason of POST /v1/keys/{id}/revoke,
--   "leaked" for a leak report), written once with revoked_at; NULL: none given, or not revoked.
-- canary: 1 for a honeytoken (created with canary: true): every use is answered like an unknown
--   key and audited as key.canary_used. Never counted against the active-key cap.
ALTER TABLE api_keys ADD COLUMN enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1));
ALTER TABLE api_keys ADD COLUMN description TEXT;
ALTER TABLE api_keys ADD COLUMN meta TEXT;
ALTER TABLE api_keys ADD COLUMN revoked_reason TEXT;
ALTER TABLE api_keys ADD COLUMN canary INTEGER NOT NULL DEFAULT 0 CHECK (canary IN (0, 1));
