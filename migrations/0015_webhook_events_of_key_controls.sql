-- Webhook events added with the key controls (issue 14): a key paused or resumed, a canary key
-- used (the honeytoken's alarm), and a rotation's grace ended by idleness. The trigger of
-- 0008_webhooks.sql is recreated with the longer list (worker/webhooks/webhook-events.ts names
-- the same list).
DROP TRIGGER audit_events_owe_webhooks;
CREATE TRIGGER audit_events_owe_webhooks AFTER INSERT ON audit_events
WHEN NEW.action IN ('key.created', 'key.revoked', 'key.rotated', 'key.leaked', 'key.expiring', 'key.expired',
                    'user.deactivated', 'key.paused', 'key.resumed', 'key.canary_used', 'key.grace_ended')
  AND EXISTS (
    SELECT 1 FROM webhook_endpoints e, json_each(e.events) t
    WHERE e.org_id = NEW.org_id AND e.enabled = 1 AND t.value = NEW.action
  )
BEGIN
  INSERT INTO webhook_outbox (event_id, org_id, queued_at) VALUES (NEW.id, NEW.org_id, NEW.at)
    ON CONFLICT (event_id) DO NOTHING;
END;
