-- Each org's own policies, set by the host backend through the admin API
-- (PUT /v1/admin/orgs/{orgId}/policy). A NULL column means "the deployment's default" (the
-- wrangler var of the same name); an org without a row follows every default.
-- leak_policy: what a confirmed leak report does to the org's keys: revoke or flag (LEAK_POLICY).
-- updated_at: the arrival time of the update that wrote the row; an update that arrived earlier
-- never overwrites a later one, however their writes race.
CREATE TABLE org_policies (
  org_id       TEXT    PRIMARY KEY,
  leak_policy  TEXT    CHECK (leak_policy IN ('revoke', 'flag')),
  updated_at   INTEGER NOT NULL
) WITHOUT ROWID;
