-- Notification-commitment (告知承诺) with credit-based post-checks, credit records, the
-- false-commitment blacklist and credit repair (SPEC R4, issue #6).
-- Instants are BIGINT milliseconds since the Unix epoch (UTC).

-- 格式文本 per proof item (R4.1): versioned, reviewed by the justice bureau, published.
CREATE TABLE commitment_templates (
    id              BIGSERIAL PRIMARY KEY,
    proof_item_id   BIGINT NOT NULL REFERENCES proof_items(id),
    number          BIGINT NOT NULL,
    obligation      TEXT NOT NULL,
    content         TEXT NOT NULL,
    checks          TEXT NOT NULL,
    cooperation     TEXT NOT NULL,
    liability       TEXT NOT NULL,
    -- R4.7: letters of this item are published (public interest, third parties, hard to check).
    publish_letters BOOLEAN NOT NULL DEFAULT FALSE,
    stage           TEXT NOT NULL,
    review_remarks  TEXT NOT NULL DEFAULT '',
    reviewer_name   TEXT,
    reviewed_at     BIGINT,
    published_at    BIGINT,
    created_by      TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    version         BIGINT NOT NULL DEFAULT 1,
    UNIQUE (proof_item_id, number)
);
CREATE INDEX commitment_templates_stage ON commitment_templates (stage, proof_item_id);

-- Post-check rules per item (R4.3): credit-score bands, each with method, time, rate or
-- exemption; every version kept, so each plan names the version that produced it.
CREATE TABLE commitment_rules (
    id                 BIGSERIAL PRIMARY KEY,
    proof_item_id      BIGINT NOT NULL REFERENCES proof_items(id),
    number             BIGINT NOT NULL,
    supervising_org_id BIGINT NOT NULL REFERENCES orgs(id),
    standard           TEXT NOT NULL,
    bands              TEXT NOT NULL,
    created_by         TEXT NOT NULL,
    created_at         BIGINT NOT NULL,
    UNIQUE (proof_item_id, number)
);

CREATE TABLE commitments (
    id                 BIGSERIAL PRIMARY KEY,
    case_id            BIGINT NOT NULL REFERENCES cases(id),
    proof_item_id      BIGINT NOT NULL REFERENCES proof_items(id),
    template_id        BIGINT NOT NULL REFERENCES commitment_templates(id),
    rule_id            BIGINT NOT NULL REFERENCES commitment_rules(id),
    subject_ref        TEXT NOT NULL,
    person_id          BIGINT NOT NULL REFERENCES persons(id),
    entity_id          BIGINT REFERENCES entities(id),
    org_id             BIGINT NOT NULL REFERENCES orgs(id),
    supervising_org_id BIGINT NOT NULL REFERENCES orgs(id),
    channel            TEXT NOT NULL,
    clerk_id           BIGINT,
    letter             TEXT NOT NULL,
    sealed_id          TEXT NOT NULL,
    state              TEXT NOT NULL,
    plan_kind          TEXT NOT NULL,
    plan_band          BIGINT NOT NULL,
    method             TEXT,
    within_wd          BIGINT NOT NULL,
    sample_permille    BIGINT NOT NULL,
    credit_score       BIGINT NOT NULL,
    -- 'none' (check or exempt), 'pending' (waits for the daily draw), 'drawn', 'not_drawn'.
    sample_state       TEXT NOT NULL,
    drawn_at           BIGINT,
    deadline_id        BIGINT,
    publish            BOOLEAN NOT NULL DEFAULT FALSE,
    signed_at          BIGINT NOT NULL,
    withdrawn_at       BIGINT,
    withdraw_reason    TEXT,
    result             TEXT,
    evidence           TEXT,
    consequence        TEXT,
    checked_by         TEXT,
    checked_at         BIGINT,
    version            BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX commitments_case ON commitments (case_id);
CREATE INDEX commitments_subject ON commitments (subject_ref, signed_at);
CREATE INDEX commitments_sampling ON commitments (sample_state, id);
CREATE INDEX commitments_item ON commitments (proof_item_id, signed_at);
CREATE INDEX commitments_org ON commitments (org_id, signed_at);

-- A signed letter is sealed: once the seal is recorded its text never changes.
CREATE FUNCTION commitments_letter_is_sealed() RETURNS trigger AS $$
BEGIN
    IF OLD.sealed_id <> '' AND (NEW.letter IS DISTINCT FROM OLD.letter OR NEW.sealed_id IS DISTINCT FROM OLD.sealed_id
       OR NEW.person_id IS DISTINCT FROM OLD.person_id OR NEW.subject_ref IS DISTINCT FROM OLD.subject_ref) THEN
        RAISE EXCEPTION '承诺书已签署并加盖电子印章，不能修改';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER commitments_letter_sealed BEFORE UPDATE ON commitments
    FOR EACH ROW EXECUTE FUNCTION commitments_letter_is_sealed();

-- One row per subject: the status the eligibility and plan rules read, kept in the same
-- transaction as each credit record.
CREATE TABLE credit_subjects (
    subject_ref     TEXT PRIMARY KEY,
    score           BIGINT NOT NULL,
    serious_records BIGINT NOT NULL,
    blacklisted     BOOLEAN NOT NULL,
    updated_at      BIGINT NOT NULL
);

CREATE TABLE credit_records (
    id            BIGSERIAL PRIMARY KEY,
    subject_ref   TEXT NOT NULL,
    kind          TEXT NOT NULL,
    commitment_id BIGINT,
    org_id        BIGINT,
    note          TEXT NOT NULL,
    score_after   BIGINT NOT NULL,
    at            BIGINT NOT NULL
);
CREATE INDEX credit_records_subject ON credit_records (subject_ref, at);

CREATE FUNCTION credit_records_are_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '信用记录只能追加，不能修改';
END $$ LANGUAGE plpgsql;
CREATE TRIGGER credit_records_no_update BEFORE UPDATE ON credit_records
    FOR EACH ROW EXECUTE FUNCTION credit_records_are_append_only();

-- Blacklist due process (R4.8): proposed on a false finding, notified, objection period,
-- decision by the credit office.
CREATE TABLE blacklist_proposals (
    id               BIGSERIAL PRIMARY KEY,
    subject_ref      TEXT NOT NULL,
    commitment_id    BIGINT NOT NULL REFERENCES commitments(id),
    state            TEXT NOT NULL,
    reason           TEXT NOT NULL,
    objection_until  BIGINT NOT NULL,
    objection        TEXT,
    objected_at      BIGINT,
    decision_reasons TEXT,
    decided_by       TEXT,
    decided_at       BIGINT,
    created_at       BIGINT NOT NULL,
    version          BIGINT NOT NULL DEFAULT 1,
    UNIQUE (commitment_id)
);
CREATE INDEX blacklist_proposals_state ON blacklist_proposals (state, objection_until);
CREATE INDEX blacklist_proposals_subject ON blacklist_proposals (subject_ref);

CREATE TABLE blacklist_entries (
    id          BIGSERIAL PRIMARY KEY,
    subject_ref TEXT NOT NULL,
    proposal_id BIGINT NOT NULL REFERENCES blacklist_proposals(id),
    listed_at   BIGINT NOT NULL,
    removed_at  BIGINT,
    repair_id   BIGINT
);
CREATE INDEX blacklist_entries_subject ON blacklist_entries (subject_ref, removed_at);

CREATE TABLE credit_repairs (
    id            BIGSERIAL PRIMARY KEY,
    subject_ref   TEXT NOT NULL,
    entry_id      BIGINT NOT NULL REFERENCES blacklist_entries(id),
    rectification TEXT NOT NULL,
    state         TEXT NOT NULL,
    reasons       TEXT,
    requested_by  TEXT NOT NULL,
    decided_by    TEXT,
    decided_at    BIGINT,
    created_at    BIGINT NOT NULL
);
CREATE INDEX credit_repairs_state ON credit_repairs (state);

-- Each export to 信用淄博 (file or HTTP push): which records, where, how it went.
CREATE TABLE credit_exports (
    id         BIGSERIAL PRIMARY KEY,
    channel    TEXT NOT NULL,
    target     TEXT NOT NULL,
    first_id   BIGINT NOT NULL,
    last_id    BIGINT NOT NULL,
    count      BIGINT NOT NULL,
    status     TEXT NOT NULL,
    error      TEXT,
    at         BIGINT NOT NULL
);
