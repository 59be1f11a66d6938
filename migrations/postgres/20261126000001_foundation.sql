-- Platform foundation: regions, orgs, staff, roles, applicants, portal accounts,
-- sessions, API tokens, login throttling, idempotency and the audit log.
-- Instants are BIGINT milliseconds since the Unix epoch (UTC).

CREATE TABLE regions (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    level       TEXT NOT NULL,
    parent_code TEXT REFERENCES regions(code)
);
CREATE INDEX regions_parent ON regions(parent_code);

CREATE TABLE orgs (
    id                  BIGSERIAL PRIMARY KEY,
    name                TEXT NOT NULL,
    credit_code         TEXT UNIQUE,
    credit_code_warning TEXT,
    kind                TEXT NOT NULL,
    region_code         TEXT NOT NULL REFERENCES regions(code),
    supervisor_id       BIGINT REFERENCES orgs(id),
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL,
    version             BIGINT NOT NULL DEFAULT 1,
    UNIQUE (region_code, name)
);
CREATE INDEX orgs_region ON orgs(region_code);

CREATE TABLE staff (
    id            BIGSERIAL PRIMARY KEY,
    org_id        BIGINT NOT NULL REFERENCES orgs(id),
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    phone         TEXT,
    password_hash TEXT NOT NULL,
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    version       BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX staff_org ON staff(org_id);

CREATE TABLE staff_roles (
    staff_id BIGINT NOT NULL REFERENCES staff(id),
    role     TEXT NOT NULL,
    PRIMARY KEY (staff_id, role)
);

-- A2 §6: liaison and proxy-agent posts, each with an A holder and a B stand-in.
CREATE TABLE duty_posts (
    id         BIGSERIAL PRIMARY KEY,
    org_id     BIGINT NOT NULL REFERENCES orgs(id),
    duty       TEXT NOT NULL,
    a_staff_id BIGINT NOT NULL REFERENCES staff(id),
    b_staff_id BIGINT REFERENCES staff(id),
    a_absent   BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL,
    UNIQUE (org_id, duty, a_staff_id)
);

CREATE TABLE persons (
    id          BIGSERIAL PRIMARY KEY,
    resident_id TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    phone       TEXT,
    created_at  BIGINT NOT NULL
);

CREATE TABLE entities (
    id          BIGSERIAL PRIMARY KEY,
    credit_code TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE entity_representatives (
    entity_id BIGINT NOT NULL REFERENCES entities(id),
    person_id BIGINT NOT NULL REFERENCES persons(id),
    capacity  TEXT NOT NULL,
    PRIMARY KEY (entity_id, person_id)
);

CREATE TABLE portal_accounts (
    id            BIGSERIAL PRIMARY KEY,
    person_id     BIGINT NOT NULL UNIQUE REFERENCES persons(id),
    login         TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    provider      TEXT NOT NULL DEFAULT 'local',
    created_at    BIGINT NOT NULL
);

CREATE TABLE sessions (
    token_hash     TEXT PRIMARY KEY,
    principal_kind TEXT NOT NULL,
    principal_id   BIGINT NOT NULL,
    csrf_token     TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL
);
CREATE INDEX sessions_expiry ON sessions(expires_at);

CREATE TABLE api_tokens (
    id         BIGSERIAL PRIMARY KEY,
    org_id     BIGINT NOT NULL REFERENCES orgs(id),
    name       TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    roles      TEXT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES staff(id),
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);

CREATE TABLE login_failures (
    id    BIGSERIAL PRIMARY KEY,
    login TEXT NOT NULL,
    at    BIGINT NOT NULL
);
CREATE INDEX login_failures_login_at ON login_failures(login, at);

CREATE TABLE idempotency_keys (
    principal   TEXT NOT NULL,
    key         TEXT NOT NULL,
    request_sig TEXT NOT NULL,
    status      BIGINT NOT NULL,
    body        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (principal, key)
);

-- Append-only, each row chained to the previous one with SM3.
CREATE TABLE audit_log (
    seq          BIGINT PRIMARY KEY,
    at           BIGINT NOT NULL,
    actor_kind   TEXT NOT NULL,
    actor_id     BIGINT,
    actor_name   TEXT NOT NULL,
    org_id       BIGINT,
    action       TEXT NOT NULL,
    object_type  TEXT NOT NULL,
    object_id    TEXT NOT NULL,
    subject_ref  TEXT,
    purpose      TEXT NOT NULL,
    operation_id TEXT NOT NULL,
    detail       TEXT NOT NULL,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL
);
CREATE INDEX audit_subject ON audit_log(subject_ref, at);
CREATE INDEX audit_object ON audit_log(object_type, object_id);

CREATE TABLE audit_head (
    id   BIGINT PRIMARY KEY,
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE FUNCTION audit_log_is_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '审计日志只能追加，不能修改或删除';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
