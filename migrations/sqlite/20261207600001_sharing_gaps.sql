-- Data sharing, the gaps of issue #18.

-- Case-level consent (issue #18 §3): the applicant allows, once on the portal, every
-- data-sharing proof of one case to be pulled by the case's unit, until it expires or is
-- withdrawn. Scoped to the case and its unit only.
CREATE TABLE sharing_case_consents (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id     BIGINT NOT NULL REFERENCES persons(id),
    case_id       BIGINT NOT NULL REFERENCES cases(id),
    org_id        BIGINT NOT NULL REFERENCES orgs(id),
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    withdrawn_at  BIGINT
);
CREATE INDEX sharing_case_consents_case ON sharing_case_consents (case_id, person_id, org_id);

-- The issuer's deadline of an outside-city request lives in the deadline engine (A4 §4(4)).
ALTER TABLE sharing_outside_requests ADD COLUMN deadline_id BIGINT;

-- Durable retries of a pull whose source was unavailable: how many were made.
ALTER TABLE sharing_pulls ADD COLUMN retries BIGINT NOT NULL DEFAULT 0;

-- The outside-city deadline runs under this rule; its working days are the versioned
-- setting `sharing.outside_working_days`, passed as the deadline's limit, which binds.
INSERT INTO deadline_rules (rule_key, version, period, max_extension, effective_from, note, created_by, created_at)
VALUES ('sharing.outside', 1, '9999cd', NULL, '2021-03-12',
        '异地使用电子证明：以试行期设置的开具时限为准（附件4第四条第（四）项）', '系统（数据共享迁移）', 0);
