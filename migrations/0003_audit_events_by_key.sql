-- GET /v1/audit-events?keyId=: one key's events, newest first, for its org (an admin) or its
-- owner (a member, whose owner_id filter then reads only this key's few rows).
CREATE INDEX audit_events_by_key ON audit_events (org_id, key_id, at DESC, id DESC);
