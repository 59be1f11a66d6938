-- Working-day calendar and the deadline engine (issue #4).
-- Instants are BIGINT milliseconds since the Unix epoch (UTC); dates are TEXT YYYY-MM-DD.

-- Years whose State Council arrangement is loaded (built in or imported by an admin).
CREATE TABLE calendar_years (
    year       BIGINT PRIMARY KEY,
    notice     TEXT NOT NULL,
    published  TEXT,
    origin     TEXT NOT NULL,           -- builtin | import
    loaded_by  TEXT NOT NULL,
    loaded_at  BIGINT NOT NULL
);

-- Every date that differs from the plain Monday–Friday week: official entries of a loaded
-- year, and the county's own overrides (origin = local).
CREATE TABLE calendar_days (
    day        TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,           -- holiday | adjusted_workday | closure
    name       TEXT NOT NULL,
    source     TEXT NOT NULL,
    origin     TEXT NOT NULL,           -- official | local
    year       BIGINT REFERENCES calendar_years(year),
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX calendar_days_year ON calendar_days(year);

-- Deadline rules as versioned settings with effective dates.
CREATE TABLE deadline_rules (
    rule_key       TEXT NOT NULL,
    version        BIGINT NOT NULL,
    period         TEXT NOT NULL,
    max_extension  TEXT,
    effective_from TEXT NOT NULL,
    note           TEXT NOT NULL DEFAULT '',
    created_by     TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    PRIMARY KEY (rule_key, version)
);

CREATE TABLE deadlines (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    subject_type      TEXT NOT NULL,
    subject_id        TEXT NOT NULL,
    org_id            BIGINT NOT NULL REFERENCES orgs(id),
    rule_key          TEXT NOT NULL,
    rule_version      BIGINT NOT NULL,
    start_at          BIGINT NOT NULL,
    period            TEXT NOT NULL,
    statutory_limit   TEXT,
    state             TEXT NOT NULL,    -- open | suspended | done | overdue
    -- Cached from the record (never edited by hand): the earlier of the rule's due instant
    -- and the statutory one; NULL while suspended.
    due_at            BIGINT,
    rule_due_at       BIGINT,
    statutory_due_at  BIGINT,
    effective_start   BIGINT,
    calendar_version  TEXT NOT NULL,
    calendar_complete BOOLEAN NOT NULL,
    escalated_at      BIGINT,
    done_at           BIGINT,
    created_by        TEXT NOT NULL,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    version           BIGINT NOT NULL DEFAULT 1
);
-- The due query (state = 'open' AND due_at <= now) is a range scan of this index.
CREATE INDEX deadlines_state_due ON deadlines(state, due_at);
CREATE INDEX deadlines_org_state ON deadlines(org_id, state, due_at);
CREATE INDEX deadlines_subject ON deadlines(subject_type, subject_id);

CREATE TABLE deadline_suspensions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    deadline_id  BIGINT NOT NULL REFERENCES deadlines(id),
    reason       TEXT NOT NULL,
    start_at     BIGINT NOT NULL,
    end_at       BIGINT,
    suspended_by TEXT NOT NULL,
    resumed_by   TEXT
);
CREATE INDEX deadline_suspensions_deadline ON deadline_suspensions(deadline_id);

CREATE TABLE deadline_extensions (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    deadline_id    BIGINT NOT NULL REFERENCES deadlines(id),
    period         TEXT NOT NULL,
    extended_by    TEXT NOT NULL,
    extended_by_id BIGINT,
    approved_by    TEXT NOT NULL,
    approved_by_id BIGINT,
    reason         TEXT NOT NULL,
    at             BIGINT NOT NULL
);
CREATE INDEX deadline_extensions_deadline ON deadline_extensions(deadline_id);

-- Durable jobs. unique_key makes enqueueing idempotent: a job is never enqueued twice.
CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT NOT NULL,
    unique_key   TEXT NOT NULL UNIQUE,
    run_at       BIGINT NOT NULL,
    payload      TEXT NOT NULL,
    state        TEXT NOT NULL,         -- pending | done | skipped | failed
    attempts     BIGINT NOT NULL DEFAULT 0,
    last_error   TEXT,
    locked_by    TEXT,
    locked_until BIGINT,
    created_at   BIGINT NOT NULL,
    done_at      BIGINT
);
CREATE INDEX jobs_state_run_at ON jobs(state, run_at);

CREATE TABLE notifications (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    recipient_org_id   BIGINT REFERENCES orgs(id),
    recipient_staff_id BIGINT REFERENCES staff(id),
    recipient_role     TEXT,
    kind               TEXT NOT NULL,
    text               TEXT NOT NULL,
    link               TEXT NOT NULL,
    -- One notification per event and recipient, whatever happens.
    dedupe_key         TEXT NOT NULL UNIQUE,
    created_at         BIGINT NOT NULL,
    read_at            BIGINT,
    read_by            BIGINT
);
CREATE INDEX notifications_org ON notifications(recipient_org_id, created_at);
CREATE INDEX notifications_role ON notifications(recipient_role, created_at);
CREATE INDEX notifications_staff ON notifications(recipient_staff_id, created_at);
