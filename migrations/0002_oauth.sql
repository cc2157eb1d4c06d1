-- The authorisation server's state: signing keys, login sessions, pending
-- authorisation requests, grants with their codes and tokens, and Pleo
-- installations. Secrets (session IDs, codes, refresh tokens) are stored as
-- SHA-256 hashes only.

CREATE TABLE signing_keys (
    kid         TEXT PRIMARY KEY,
    private_key BLOB NOT NULL,          -- PKCS #8 DER
    active      INTEGER NOT NULL DEFAULT 0, -- exactly one key signs new tokens
    created_at  TEXT NOT NULL
) STRICT;

CREATE TABLE sessions (
    id_hash    BLOB PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
) STRICT;

-- An authorisation request that has passed validation and waits for login and consent.
CREATE TABLE authorization_requests (
    id             TEXT PRIMARY KEY,
    client_id      TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    redirect_uri   TEXT NOT NULL,
    scope          TEXT NOT NULL,
    state          TEXT NOT NULL,
    code_challenge TEXT NOT NULL,
    subject_hint   TEXT NOT NULL, -- urn_pleo_params_oauth_subject, or ''
    created_at     TEXT NOT NULL,
    expires_at     TEXT NOT NULL
) STRICT;

-- A grant is one approval by a user (or one token minted by the control API)
-- for a client and a subject: the family of every code, refresh token and
-- access token that descends from it. Revoking it revokes them all.
CREATE TABLE grants (
    id             TEXT PRIMARY KEY,
    client_id      TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    user_id        TEXT REFERENCES users(id) ON DELETE SET NULL,
    subject_kind   TEXT NOT NULL CHECK (subject_kind IN ('company', 'organization')),
    subject_id     TEXT NOT NULL,
    scope          TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    last_used_at   TEXT,
    revoked_at     TEXT,
    revoked_reason TEXT
) STRICT;
CREATE INDEX grants_client_subject ON grants(client_id, subject_kind, subject_id);
CREATE INDEX grants_user ON grants(user_id);

CREATE TABLE authorization_codes (
    hash           BLOB PRIMARY KEY,
    grant_id       TEXT NOT NULL REFERENCES grants(id) ON DELETE CASCADE,
    redirect_uri   TEXT NOT NULL,
    code_challenge TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    expires_at     TEXT NOT NULL,
    used_at        TEXT
) STRICT;
CREATE INDEX authorization_codes_grant ON authorization_codes(grant_id);

CREATE TABLE refresh_tokens (
    hash       BLOB PRIMARY KEY,
    grant_id   TEXT NOT NULL REFERENCES grants(id) ON DELETE CASCADE,
    scope      TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT -- set when rotated; presenting it again is reuse
) STRICT;
CREATE INDEX refresh_tokens_grant ON refresh_tokens(grant_id);

CREATE TABLE access_tokens (
    jti        TEXT PRIMARY KEY,
    grant_id   TEXT NOT NULL REFERENCES grants(id) ON DELETE CASCADE,
    scope      TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT
) STRICT;
CREATE INDEX access_tokens_grant ON access_tokens(grant_id);

-- Pleo's App Marketplace installation of a client for a subject.
CREATE TABLE installations (
    id           TEXT PRIMARY KEY,
    client_id    TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    subject_kind TEXT NOT NULL CHECK (subject_kind IN ('company', 'organization')),
    subject_id   TEXT NOT NULL,
    status       TEXT NOT NULL,
    error_code   TEXT,
    metadata     TEXT NOT NULL DEFAULT '{}',
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    UNIQUE (client_id, subject_kind, subject_id)
) STRICT;
