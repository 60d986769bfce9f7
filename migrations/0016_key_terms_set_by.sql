-- Who may set a key's own rate limits and credits (issue 14, after review): 'owners' (the key's
-- owner and the org's admins, through the management API, within the ceiling) or 'operator' (only
-- the host backend, with ADMIN_API_TOKEN, through PATCH /v1/admin/orgs/{orgId}/keys/{id}: the
-- product meters its plans, and no member can lift or top up their own credits). NULL: 'owners'.
ALTER TABLE org_policies ADD COLUMN key_terms_set_by TEXT CHECK (key_terms_set_by IN ('owners', 'operator'));
