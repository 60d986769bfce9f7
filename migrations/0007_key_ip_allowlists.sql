-- A key's IP allowlist (issue 13, point 4): a JSON array of canonical CIDRs ("203.0.113.0/24",
-- "2001:db8::/32"), at most 50, in the order given; NULL: the key works from any address. The
-- key's Durable Object holds its own copy and enforces it; this column follows it (the outbox).
ALTER TABLE api_keys ADD COLUMN allowed_ips TEXT;
