-- Goldsmith store schema, SQLite dialect. Times are Unix microseconds.
-- See internal/store/sqlstore (keys.go) for how arn_key and the *_key
-- ordering columns are formed.

CREATE TABLE accounts (
    id         TEXT    NOT NULL PRIMARY KEY,
    name       TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);

CREATE TABLE access_keys (
    id         TEXT    NOT NULL PRIMARY KEY,
    secret     TEXT    NOT NULL,
    account_id TEXT    NOT NULL REFERENCES accounts (id),
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE INDEX access_keys_account ON access_keys (account_id, created_at);

CREATE TABLE resources (
    arn_key       TEXT    NOT NULL PRIMARY KEY, -- canonical ARN (numeric version)
    arn           TEXT    NOT NULL,             -- ARN as written
    type          TEXT    NOT NULL,
    partition     TEXT    NOT NULL,
    region        TEXT    NOT NULL,
    account       TEXT    NOT NULL,
    workflow_type TEXT    NOT NULL DEFAULT '',
    name          TEXT    NOT NULL,
    major         INTEGER,
    minor         INTEGER,
    patch         INTEGER,
    build         INTEGER,
    name_key      TEXT    NOT NULL,
    version_key   TEXT    NOT NULL,
    sort_key      TEXT    NOT NULL,
    owner         TEXT    NOT NULL DEFAULT '',
    attrs         TEXT    NOT NULL DEFAULT '{}',
    data          TEXT,
    tags          TEXT    NOT NULL DEFAULT '{}',
    policy        TEXT    NOT NULL DEFAULT '',
    principals    TEXT    NOT NULL DEFAULT '[]',
    revision      INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE UNIQUE INDEX resources_sort ON resources (type, sort_key);
CREATE INDEX resources_account ON resources (type, account, sort_key);
CREATE INDEX resources_version ON resources (type, version_key, sort_key);
CREATE INDEX resources_names ON resources (type, name_key, sort_key);
CREATE INDEX resources_name ON resources (type, account, name, major, minor, patch, build);

CREATE TABLE resource_attrs (
    arn_key TEXT NOT NULL REFERENCES resources (arn_key) ON DELETE CASCADE,
    name    TEXT NOT NULL,
    value   TEXT NOT NULL,
    PRIMARY KEY (arn_key, name, value)
);
CREATE INDEX resource_attrs_value ON resource_attrs (name, value);

CREATE TABLE resource_principals (
    arn_key   TEXT NOT NULL REFERENCES resources (arn_key) ON DELETE CASCADE,
    principal TEXT NOT NULL,
    PRIMARY KEY (arn_key, principal)
);
CREATE INDEX resource_principals_principal ON resource_principals (principal);

CREATE TABLE resource_refs (
    from_key TEXT NOT NULL REFERENCES resources (arn_key) ON DELETE CASCADE,
    to_key   TEXT NOT NULL REFERENCES resources (arn_key),
    PRIMARY KEY (from_key, to_key)
);
CREATE INDEX resource_refs_to ON resource_refs (to_key);

CREATE TABLE build_counters (
    version_arn TEXT    NOT NULL PRIMARY KEY, -- canonical version ARN
    last        INTEGER NOT NULL
);

CREATE TABLE idempotency (
    account      TEXT    NOT NULL,
    operation    TEXT    NOT NULL,
    client_token TEXT    NOT NULL,
    request_hash TEXT    NOT NULL,
    response     TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    PRIMARY KEY (account, operation, client_token)
);
CREATE INDEX idempotency_expires ON idempotency (expires_at);
