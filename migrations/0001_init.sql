-- Organisations, companies, users, OAuth clients and the Pleo data served by
-- the mock API. Timestamps are RFC 3339 text in UTC with microseconds.

CREATE TABLE organizations (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;

CREATE TABLE companies (
    id                  TEXT PRIMARY KEY,
    organization_id     TEXT REFERENCES organizations(id) ON DELETE SET NULL,
    name                TEXT NOT NULL,
    currency            TEXT NOT NULL,
    registration_number TEXT NOT NULL DEFAULT '',
    address_line1       TEXT NOT NULL DEFAULT '',
    address_line2       TEXT NOT NULL DEFAULT '',
    locality            TEXT NOT NULL DEFAULT '',
    postal_code         TEXT NOT NULL DEFAULT '',
    region              TEXT NOT NULL DEFAULT '',
    country             TEXT NOT NULL DEFAULT '',
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
) STRICT;
CREATE INDEX companies_organization ON companies(organization_id);

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name          TEXT NOT NULL,
    password_hash BLOB NOT NULL,
    created_at    TEXT NOT NULL
) STRICT;

-- A user's role in a company: admin, bookkeeper or employee.
CREATE TABLE company_roles (
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    company_id TEXT NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    role       TEXT NOT NULL CHECK (role IN ('admin', 'bookkeeper', 'employee')),
    PRIMARY KEY (user_id, company_id)
) STRICT;

-- A user's role in an organisation (only admins connect apps for an organisation).
CREATE TABLE organization_roles (
    user_id         TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    role            TEXT NOT NULL CHECK (role IN ('admin', 'bookkeeper', 'employee')),
    PRIMARY KEY (user_id, organization_id)
) STRICT;

CREATE TABLE clients (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    type          TEXT NOT NULL CHECK (type IN ('confidential', 'public')),
    secret_hash   BLOB,
    redirect_uris TEXT NOT NULL, -- JSON array of exact URIs
    scopes        TEXT NOT NULL, -- space-separated scopes the client may request
    pkce_required INTEGER NOT NULL DEFAULT 1,
    logo_url      TEXT NOT NULL DEFAULT '',
    client_uri    TEXT NOT NULL DEFAULT '',
    terms_url     TEXT NOT NULL DEFAULT '',
    privacy_url   TEXT NOT NULL DEFAULT '',
    auto_approve_user TEXT NOT NULL DEFAULT '', -- email of the user to approve as without screens
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
) STRICT;

CREATE TABLE teams (
    id         TEXT PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    name       TEXT NOT NULL
) STRICT;

CREATE TABLE employees (
    id         TEXT PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    user_id    TEXT REFERENCES users(id) ON DELETE SET NULL,
    team_id    TEXT REFERENCES teams(id) ON DELETE SET NULL,
    first_name TEXT NOT NULL,
    last_name  TEXT NOT NULL,
    email      TEXT NOT NULL,
    code       TEXT,
    phone      TEXT,
    job_title  TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX employees_company ON employees(company_id, id);

CREATE TABLE tag_groups (
    id         TEXT PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    code       TEXT NOT NULL,
    archived   INTEGER NOT NULL DEFAULT 0,
    metadata   TEXT NOT NULL DEFAULT '{}', -- JSON object of strings
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX tag_groups_company ON tag_groups(company_id, id);

CREATE TABLE tags (
    id         TEXT PRIMARY KEY,
    group_id   TEXT NOT NULL REFERENCES tag_groups(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    code       TEXT NOT NULL,
    archived   INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX tags_group ON tags(group_id, id);

CREATE TABLE tax_codes (
    id                   TEXT PRIMARY KEY,
    company_id           TEXT NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    name                 TEXT NOT NULL,
    code                 TEXT,
    rate                 REAL NOT NULL,
    type                 TEXT NOT NULL CHECK (type IN ('inclusive', 'exclusive', 'reverse')),
    archived             INTEGER NOT NULL DEFAULT 0,
    ingoing_tax_account  TEXT,
    outgoing_tax_account TEXT,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
) STRICT;
CREATE INDEX tax_codes_company ON tax_codes(company_id, id);

CREATE TABLE vendors (
    id                      TEXT PRIMARY KEY,
    company_id              TEXT NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    name                    TEXT NOT NULL,
    code                    TEXT,
    external_id             TEXT,
    country                 TEXT,
    default_currency        TEXT NOT NULL,
    registration_number     TEXT,
    tax_registration_number TEXT,
    accounting_system       TEXT,
    state                   TEXT NOT NULL,
    created_at              TEXT NOT NULL,
    updated_at              TEXT NOT NULL
) STRICT;
CREATE INDEX vendors_company ON vendors(company_id, id);

-- Chart of accounts (Pleo's BookkeepingAccount).
CREATE TABLE accounts (
    id                   TEXT PRIMARY KEY,
    company_id           TEXT NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    external_id          TEXT NOT NULL,
    name                 TEXT NOT NULL,
    code                 TEXT,
    archived             INTEGER NOT NULL DEFAULT 0,
    tax_code_external_id TEXT,
    metadata             TEXT NOT NULL DEFAULT '{}',
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    UNIQUE (company_id, external_id)
) STRICT;

-- Accounting entries: Pleo's expenses and other money movements. Scalar
-- fields the search API filters and sorts on are columns; nested parts
-- (tags, split items, supplier, attendees, receipts) are JSON.
CREATE TABLE accounting_entries (
    id                         TEXT PRIMARY KEY,
    company_id                 TEXT NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    employee_id                TEXT REFERENCES employees(id) ON DELETE SET NULL,
    team_id                    TEXT REFERENCES teams(id) ON DELETE SET NULL,
    account_id                 TEXT REFERENCES accounts(id) ON DELETE SET NULL,
    tax_code_id                TEXT REFERENCES tax_codes(id) ON DELETE SET NULL,
    family                     TEXT NOT NULL,
    sub_family                 TEXT,
    status                     TEXT NOT NULL,
    review_status              TEXT NOT NULL,
    export_status              TEXT NOT NULL,
    note                       TEXT,
    foreign_extension_id       TEXT,
    transaction_minors         INTEGER NOT NULL,
    transaction_currency       TEXT NOT NULL,
    total_bill_minors          INTEGER,
    total_bill_currency        TEXT,
    performed_at               TEXT NOT NULL,
    settled_at                 TEXT,
    bookkeeping_date           TEXT,
    deleted_at                 TEXT,
    tags                       TEXT NOT NULL DEFAULT '[]',
    split_items                TEXT NOT NULL DEFAULT '[]',
    supplier                   TEXT,
    attendees                  TEXT NOT NULL DEFAULT '[]',
    receipt_ids                TEXT NOT NULL DEFAULT '[]',
    merchant_name              TEXT,
    created_at                 TEXT NOT NULL,
    updated_at                 TEXT NOT NULL
) STRICT;
CREATE INDEX accounting_entries_company_performed ON accounting_entries(company_id, performed_at, id);

-- Small key/value facts about this database (for example the seed's anchor day).
CREATE TABLE emulator_settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;
