-- The proofs of a case (SPEC R6.1): derived when the case opens from the published
-- exemption list in force, each with the methods it may be resolved by, its state and its
-- evidence (who, when, what). Nothing outside the list can be demanded (优化营商环境条例 §44).

CREATE TABLE case_proofs (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id          BIGINT NOT NULL REFERENCES cases(id),
    proof_item_id    BIGINT NOT NULL,
    proof_item_name  TEXT NOT NULL,
    -- The published list version the proof was read from.
    list_version_id  BIGINT NOT NULL,
    -- Allowed resolution methods, comma-separated codes.
    methods          TEXT NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('pending', 'in_progress', 'resolved', 'deferred')),
    method           TEXT,
    evidence         TEXT NOT NULL DEFAULT '',
    verification_id  BIGINT,
    commitment_id    BIGINT,
    -- The proxy task's or the supplement's deadline.
    deadline_id      BIGINT REFERENCES deadlines(id),
    resolved_by      TEXT,
    resolved_at      BIGINT,
    updated_at       BIGINT NOT NULL,
    version          BIGINT NOT NULL DEFAULT 1,
    UNIQUE (case_id, proof_item_id)
);

-- The reason of a refusal or the ground of a termination.
ALTER TABLE cases ADD COLUMN decision_reason TEXT;

-- A proxy task (干部代办) and a deficiency's supplement (容缺受理, R5.10) run under these
-- rules; their working days are versioned settings (`cases.proxy_working_days`,
-- `cases.supplement_working_days`), passed as the deadline's limit, which binds.
INSERT INTO deadline_rules (rule_key, version, period, max_extension, effective_from, note, created_by, created_at)
VALUES ('case.proxy', 1, '9999cd', NULL, '2021-03-12',
        '干部代办：以试行期设置的代办时限为准（实施方案三(二)3）', '系统（办件迁移）', 0);
INSERT INTO deadline_rules (rule_key, version, period, max_extension, effective_from, note, created_by, created_at)
VALUES ('case.supplement', 1, '9999cd', NULL, '2021-03-12',
        '容缺受理：以试行期设置的补正时限为准（实施方案三(二)3）', '系统（办件迁移）', 0);
