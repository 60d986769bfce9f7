-- Per-key rate limits and credits (issue 14, points 1 and 2). Both belong to the key's rotation
-- chain, whose Durable Object holds the exact values and enforces them; these columns follow it
-- (the outbox), every key of a chain carrying the same values.
-- limits: a JSON array of { name, limit, windowSeconds }; NULL: the defaults (10/1 s, 100/60 s).
-- credits: a JSON object { remaining, refill: { amount, interval } | null, refilledAt } (epoch
-- ms); NULL: no credits. The balance here lags the object's by up to 30 s of use.
ALTER TABLE api_keys ADD COLUMN limits TEXT;
ALTER TABLE api_keys ADD COLUMN credits TEXT;
