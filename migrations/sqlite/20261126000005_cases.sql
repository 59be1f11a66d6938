-- Cases (办件, SPEC R6): the minimum the verification and commitment workflows hang on.
-- One assessment deadline per case; its statutory limit keeps running while the
-- assessment clock waits on verifications (A2 §7).

CREATE TABLE cases (
    id                      INTEGER PRIMARY KEY AUTOINCREMENT,
    case_no                 TEXT NOT NULL UNIQUE,
    org_id                  BIGINT NOT NULL REFERENCES orgs(id),
    service_item_id         BIGINT NOT NULL REFERENCES service_items(id),
    applicant_kind          TEXT NOT NULL CHECK (applicant_kind IN ('person', 'entity')),
    applicant_id            BIGINT NOT NULL,
    immediate               BOOLEAN NOT NULL,
    state                   TEXT NOT NULL CHECK (state IN ('open', 'decided', 'withdrawn')),
    outcome                 TEXT,
    assessment_deadline_id  BIGINT NOT NULL REFERENCES deadlines(id),
    -- How many verifications the case waits on now; the assessment clock stops while > 0.
    waiting                 BIGINT NOT NULL DEFAULT 0 CHECK (waiting >= 0),
    created_by              TEXT NOT NULL,
    created_at              BIGINT NOT NULL,
    decided_at              BIGINT,
    updated_at              BIGINT NOT NULL,
    version                 BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX cases_org_state ON cases (org_id, state);
CREATE INDEX cases_applicant ON cases (applicant_kind, applicant_id);
