-- What an event says beyond its columns, as a JSON object (NULL: nothing): the reminder window of
-- key.expiring ("7d" or "1d"), how many refusals a sampled key.ip_refused stands for, and so on.
-- Never a secret: an event is shown to the key's owner and the org's admins and sent to webhooks.
ALTER TABLE audit_events ADD COLUMN detail TEXT;
