-- Every refresh token of a grant starts with the grant's refresh family, a
-- random value, so a rotated refresh token is recognised as its grant's
-- after housekeeping has deleted its row: presenting one still revokes
-- the grant. Grants from before this migration get a family at their next
-- issuance; their older tokens are recognised by their rows only.
ALTER TABLE grants ADD COLUMN refresh_family TEXT;
CREATE UNIQUE INDEX grants_refresh_family ON grants(refresh_family);

-- Housekeeping finds expired access-token records and rotated refresh
-- tokens by these indexes rather than by scanning the tables.
CREATE INDEX access_tokens_expiry ON access_tokens(expires_at);
CREATE INDEX refresh_tokens_rotated ON refresh_tokens(used_at) WHERE used_at IS NOT NULL;
