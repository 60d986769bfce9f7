-- A key's chain (its Durable Object) is placed near its first use, not where it was created.
-- region: the location hint chosen at creation (wnam, weur, …), NULL for automatic placement.
-- placed_at: when the chain's object first loaded the key (its first use, or a revoke, edit or
-- rotation before that); NULL while no object holds the key, so reading its usage or last use
-- needn't wake (and so place) the object.
ALTER TABLE api_keys ADD COLUMN region TEXT;
ALTER TABLE api_keys ADD COLUMN placed_at INTEGER;
-- Every key created before this migration registered its object at creation.
UPDATE api_keys SET placed_at = created_at;
