-- A key reported as found in public (POST /v1/leaks: GitHub secret scanning or our own
-- reporters). Written once, by the first report: leaked_at is when the report arrived, leaked_url
-- where the key was found. Both NULL while no report names the key.
ALTER TABLE api_keys ADD COLUMN leaked_at INTEGER;
ALTER TABLE api_keys ADD COLUMN leaked_url TEXT;
