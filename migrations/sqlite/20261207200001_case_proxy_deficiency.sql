-- Proxy service (干部代办) and deficiency acceptance (容缺受理), R5.10, P 三(二)3.
--
-- A proxy task is the case proof itself (method 'proxy', in progress): the requesting
-- unit's proxy agents (A and B posts) see it in their inbox; what the agent obtained from
-- the issuer is kept as a scan with its SM3 hash, who and when. A deficiency accepted
-- carries what is missing, the sealed written notice the applicant was given, and the
-- rule the unit had set for a late supplement (suspend or refuse), fixed when accepted.

ALTER TABLE case_proofs ADD COLUMN missing TEXT NOT NULL DEFAULT '';
ALTER TABLE case_proofs ADD COLUMN notice_id TEXT;
ALTER TABLE case_proofs ADD COLUMN late_rule TEXT CHECK (late_rule IN ('suspend', 'refuse'));
-- When the sweep handled the proof's overdue deadline (escalated once, never twice).
ALTER TABLE case_proofs ADD COLUMN overdue_at BIGINT;
CREATE INDEX case_proofs_deadline ON case_proofs (deadline_id);
CREATE INDEX case_proofs_method_state ON case_proofs (method, state);

-- A case suspended (中止) because a supplement came late under the unit's 'suspend' rule.
ALTER TABLE cases ADD COLUMN suspended_at BIGINT;
ALTER TABLE cases ADD COLUMN suspend_reason TEXT;

-- The scan a proxy agent recorded for the proof obtained from its issuer.
CREATE TABLE case_proof_scans (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id        BIGINT NOT NULL REFERENCES cases(id),
    proof_item_id  BIGINT NOT NULL,
    content_type   TEXT NOT NULL,
    content        BLOB NOT NULL,
    size_bytes     BIGINT NOT NULL,
    sm3            TEXT NOT NULL,
    note           TEXT NOT NULL,
    uploaded_by    TEXT NOT NULL,
    uploaded_by_staff BIGINT,
    uploaded_at    BIGINT NOT NULL
);
CREATE INDEX case_proof_scans_case ON case_proof_scans (case_id, proof_item_id);

-- Each unit's rule for a supplement not made by its deadline, versioned by effective date
-- (SPEC "Trial rules": the version in force when the deficiency was accepted governs).
CREATE TABLE case_late_rules (
    org_id          BIGINT NOT NULL REFERENCES orgs(id),
    version         BIGINT NOT NULL,
    rule            TEXT NOT NULL CHECK (rule IN ('suspend', 'refuse')),
    effective_from  TEXT NOT NULL,
    note            TEXT NOT NULL DEFAULT '',
    created_by      TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (org_id, version)
);
