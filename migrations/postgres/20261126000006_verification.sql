-- Inter-unit verification (部门核验, SPEC R5, annex 2). Instants are BIGINT milliseconds.

-- A2 §4: per proof item and pair of units, the request-letter fields (facts to confirm)
-- and the reply-letter fields, with the method and process of the verification.
CREATE TABLE verification_templates (
    id               BIGSERIAL PRIMARY KEY,
    proof_item_id    BIGINT NOT NULL REFERENCES proof_items(id),
    issuer_org_id    BIGINT NOT NULL REFERENCES orgs(id),
    requester_org_id BIGINT NOT NULL REFERENCES orgs(id),
    request_fields   TEXT NOT NULL,
    reply_fields     TEXT NOT NULL,
    method           TEXT NOT NULL,
    process          TEXT NOT NULL,
    updated_by       TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    version          BIGINT NOT NULL DEFAULT 1,
    UNIQUE (proof_item_id, issuer_org_id, requester_org_id)
);

CREATE TABLE verifications (
    id                  BIGSERIAL PRIMARY KEY,
    channel             TEXT NOT NULL,           -- system | fax | email | office_system
    state               TEXT NOT NULL,           -- registered | answered | returned
    requester_org_id    BIGINT NOT NULL REFERENCES orgs(id),
    issuer_org_id       BIGINT NOT NULL REFERENCES orgs(id),
    proof_item_id       BIGINT NOT NULL,
    proof_item_name     TEXT NOT NULL,
    template_id         BIGINT,
    subject_kind        TEXT NOT NULL,           -- person | entity
    subject_id          BIGINT NOT NULL,
    subject_name        TEXT NOT NULL,
    subject_code        TEXT NOT NULL,
    facts               TEXT NOT NULL,           -- JSON object, the request template's fields
    case_ref            TEXT NOT NULL,
    case_id             BIGINT,
    purpose             TEXT NOT NULL,
    catalogue_class     TEXT NOT NULL,
    deadline_class      TEXT NOT NULL,
    deadline_period     TEXT NOT NULL,
    reclass_reason      TEXT,
    deadline_id         BIGINT,
    sent_by             BIGINT,
    sent_by_name        TEXT NOT NULL,
    sent_at             BIGINT NOT NULL,
    due_at              BIGINT,                  -- current due instant (deadline, or joint-office order)
    outcome             TEXT,                    -- confirmed | not_matching
    answer              TEXT,                    -- JSON object, the reply template's fields
    records_say         TEXT,
    return_reason       TEXT,
    answered_by_name    TEXT,
    answered_at         BIGINT,
    answered_late       BOOLEAN NOT NULL DEFAULT FALSE,
    sealed_id           TEXT,
    reported_at         BIGINT,
    reported_by_name    TEXT,
    report_auto         BOOLEAN NOT NULL DEFAULT FALSE,
    ordered_at          BIGINT,
    order_due_at        BIGINT,
    order_text          TEXT,
    summon_at           BIGINT,
    summon_text         TEXT,
    no_secret_confirmed BOOLEAN NOT NULL DEFAULT FALSE,
    offline_ref         TEXT,
    updated_at          BIGINT NOT NULL,
    version             BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX verifications_inbox ON verifications(issuer_org_id, state, due_at);
CREATE INDEX verifications_outbox ON verifications(requester_org_id, state, due_at);
CREATE INDEX verifications_inbox_recent ON verifications(issuer_org_id, id);
CREATE INDEX verifications_outbox_recent ON verifications(requester_org_id, id);
-- A state filter shown newest first (the inbox's 已答复 tab) reads these in order.
CREATE INDEX verifications_inbox_state ON verifications(issuer_org_id, state, id);
CREATE INDEX verifications_outbox_state ON verifications(requester_org_id, state, id);
CREATE INDEX verifications_due ON verifications(state, due_at);
CREATE INDEX verifications_subject ON verifications(subject_kind, subject_id);

-- The whole history of one verification, as shown on its detail page.
CREATE TABLE verification_events (
    id              BIGSERIAL PRIMARY KEY,
    verification_id BIGINT NOT NULL REFERENCES verifications(id),
    at              BIGINT NOT NULL,
    kind            TEXT NOT NULL,
    actor_name      TEXT NOT NULL,
    org_name        TEXT NOT NULL,
    text            TEXT NOT NULL
);
CREATE INDEX verification_events_of ON verification_events(verification_id, id);

-- 台账 (A2 §8, §9): supplementary material asked, on-site checks, applicant-provided.
CREATE TABLE verification_ledger (
    id               BIGSERIAL PRIMARY KEY,
    org_id           BIGINT NOT NULL REFERENCES orgs(id),
    verification_id  BIGINT REFERENCES verifications(id),
    kind             TEXT NOT NULL,
    subject_kind     TEXT NOT NULL,
    subject_id       BIGINT NOT NULL,
    subject_name     TEXT NOT NULL,
    proof_item_id    BIGINT NOT NULL,
    proof_item_name  TEXT NOT NULL,
    case_ref         TEXT NOT NULL,
    what             TEXT NOT NULL,
    why              TEXT NOT NULL,
    recorded_by_name TEXT NOT NULL,
    at               BIGINT NOT NULL
);
CREATE INDEX verification_ledger_org ON verification_ledger(org_id, id);

-- The statutory class (A2 §7, P 三(二)3): the request's own statutory limit binds; this
-- rule's period is only an outer bound the engine needs.
INSERT INTO deadline_rules (rule_key, version, period, max_extension, effective_from, note, created_by, created_at)
VALUES ('verification.statutory', 1, '9999cd', NULL, '2021-03-12',
        '法定程序：以该核验的法定时限为准（附件2第七条、实施方案三(二)3）', '系统（核验迁移）', 0);
