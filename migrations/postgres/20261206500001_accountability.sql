-- Accountability and fault tolerance (A5): the employment type of staff (A5 §2: borrowed,
-- hired and seconded staff are subjects too), accountability cases proposed from violation
-- records or entered by the department, their evidence, appeals (A5 §6) and exemption
-- applications (A5 §7–§11).

ALTER TABLE staff ADD COLUMN employment_type TEXT NOT NULL DEFAULT 'established';

-- The cursor the proposal sweep follows over violation_records: one row, updated first in
-- the sweep's transaction so two instances take turns and each record is read once.
CREATE TABLE accountability_cursor (
    name       TEXT PRIMARY KEY,
    last_id    BIGINT NOT NULL,
    touched_at BIGINT NOT NULL
);
INSERT INTO accountability_cursor (name, last_id, touched_at) VALUES ('violations', 0, 0);

CREATE TABLE accountability_cases (
    id            BIGSERIAL PRIMARY KEY,
    kind          TEXT NOT NULL,
    origin        TEXT NOT NULL,
    state         TEXT NOT NULL,
    -- The subject: a unit, and the staff member when one is concerned.
    org_id        BIGINT NOT NULL REFERENCES orgs(id),
    staff_id      BIGINT REFERENCES staff(id),
    summary       TEXT NOT NULL,
    -- The competent organ (A5 §5) once referred: its kind and the unit acting as it.
    organ         TEXT,
    organ_org_id  BIGINT REFERENCES orgs(id),
    measure       TEXT,
    decision_text TEXT,
    rectify_by    BIGINT,
    rectified_at  BIGINT,
    rectify_note  TEXT,
    decided_by    TEXT,
    decided_at    BIGINT,
    exempted      BOOLEAN NOT NULL DEFAULT FALSE,
    created_by    TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX accountability_cases_subject ON accountability_cases (org_id, state);
CREATE INDEX accountability_cases_open ON accountability_cases (state, org_id, kind);

-- Each violation record is evidence of exactly one case (duplicates merged into it).
CREATE TABLE accountability_evidence (
    case_id      BIGINT NOT NULL REFERENCES accountability_cases(id),
    violation_id BIGINT NOT NULL UNIQUE REFERENCES violation_records(id),
    added_at     BIGINT NOT NULL,
    PRIMARY KEY (case_id, violation_id)
);

CREATE TABLE accountability_appeals (
    id            BIGSERIAL PRIMARY KEY,
    case_id       BIGINT NOT NULL REFERENCES accountability_cases(id),
    state         TEXT NOT NULL,
    grounds       TEXT NOT NULL,
    filed_by      TEXT NOT NULL,
    filed_by_id   BIGINT,
    filed_at      BIGINT NOT NULL,
    decision_text TEXT,
    decided_by    TEXT,
    decided_at    BIGINT
);
CREATE INDEX accountability_appeals_case ON accountability_appeals (case_id);

CREATE TABLE accountability_exemptions (
    id           BIGSERIAL PRIMARY KEY,
    case_id      BIGINT NOT NULL REFERENCES accountability_cases(id),
    state        TEXT NOT NULL,
    -- The A5 §8 grounds claimed, comma-separated stored names.
    grounds      TEXT NOT NULL,
    statement    TEXT NOT NULL,
    evidence     TEXT NOT NULL,
    applied_by   TEXT NOT NULL,
    applied_at   BIGINT NOT NULL,
    report       TEXT,
    reported_by  TEXT,
    reported_at  BIGINT,
    decision_text TEXT,
    decided_by   TEXT,
    decided_at   BIGINT,
    -- 免责备案 (A5 §11): the filing number once approved.
    filing_no    TEXT
);
CREATE INDEX accountability_exemptions_case ON accountability_exemptions (case_id);
