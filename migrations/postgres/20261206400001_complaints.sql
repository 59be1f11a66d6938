-- Complaints (投诉举报, annex 4; SPEC R8). One row per complaint as registered (A4 §7),
-- its acceptance, handling and result; the complainant's name and phone are encrypted
-- with the personal-data key (the phone also as a blind index for tracking and duplicates).

CREATE TABLE complaints (
    id                  BIGSERIAL PRIMARY KEY,
    receipt_no          TEXT UNIQUE,
    receiver            TEXT NOT NULL,
    receiver_org_id     BIGINT NOT NULL REFERENCES orgs(id),
    channel             TEXT NOT NULL,
    form                TEXT NOT NULL,
    anonymous           BOOLEAN NOT NULL,
    name_enc            TEXT,
    name_masked         TEXT NOT NULL,
    phone_enc           TEXT,
    phone_index         TEXT,
    agent_name          TEXT,
    agent_authorisation TEXT,
    portal_person_id    BIGINT,
    agency_org_id       BIGINT NOT NULL REFERENCES orgs(id),
    ground              TEXT NOT NULL,
    request             TEXT NOT NULL,
    reasons             TEXT NOT NULL,
    proof_item_id       BIGINT,
    service_item_id     BIGINT,
    -- The 12345 work order it came as (idempotency of the intake API).
    work_order_no       TEXT UNIQUE,
    state               TEXT NOT NULL,
    received_at         BIGINT NOT NULL,
    registered_by       TEXT NOT NULL,
    accept_deadline_id  BIGINT,
    handle_deadline_id  BIGINT,
    accepted_at         BIGINT,
    handling_org_id     BIGINT REFERENCES orgs(id),
    identity_needed     BOOLEAN NOT NULL,
    reject_ground       TEXT,
    reject_note         TEXT,
    linked_to           BIGINT REFERENCES complaints(id),
    terminate_ground    TEXT,
    terminate_note      TEXT,
    facts               TEXT,
    upheld              BOOLEAN,
    measures            TEXT,
    answered_at         BIGINT,
    on_time             BOOLEAN,
    notice_id           TEXT,
    satisfaction        TEXT,
    satisfaction_at     BIGINT,
    reopened            BOOLEAN NOT NULL,
    updated_at          BIGINT NOT NULL
);
CREATE INDEX complaints_state ON complaints (state, received_at);
CREATE INDEX complaints_agency ON complaints (agency_org_id, received_at);
CREATE INDEX complaints_phone ON complaints (phone_index, received_at);

-- Extension requests of the handling unit, approved or refused by the receiver (A4 §10).
CREATE TABLE complaint_extensions (
    id            BIGSERIAL PRIMARY KEY,
    complaint_id  BIGINT NOT NULL REFERENCES complaints(id),
    period        TEXT NOT NULL,
    reason        TEXT NOT NULL,
    state         TEXT NOT NULL,
    requested_by  TEXT NOT NULL,
    requested_at  BIGINT NOT NULL,
    decided_by    TEXT,
    decided_at    BIGINT
);
CREATE INDEX complaint_extensions_complaint ON complaint_extensions (complaint_id);

-- Figures kept up to date by every act (A4 §12–§13), never recomputed per request: one row
-- per month and dimension values.
CREATE TABLE complaint_figures (
    month         TEXT NOT NULL,
    receiver      TEXT NOT NULL,
    channel       TEXT NOT NULL,
    ground        TEXT NOT NULL,
    agency_org_id BIGINT NOT NULL,
    proof_item_id BIGINT NOT NULL,
    received      BIGINT NOT NULL,
    accepted      BIGINT NOT NULL,
    on_time       BIGINT NOT NULL,
    upheld        BIGINT NOT NULL,
    answered      BIGINT NOT NULL,
    satisfied     BIGINT NOT NULL,
    unsatisfied   BIGINT NOT NULL,
    PRIMARY KEY (month, receiver, channel, ground, agency_org_id, proof_item_id)
);

-- The 12345 platform's callback: where results of its work orders are pushed, and the key
-- they are signed with (HMAC-SM3). One row.
CREATE TABLE complaint_hotline_link (
    id            BIGINT PRIMARY KEY,
    callback_url  TEXT NOT NULL,
    secret        TEXT NOT NULL,
    updated_by    TEXT NOT NULL,
    updated_at    BIGINT NOT NULL
);

-- Results waiting to be pushed to the 12345 platform, retried with back-off until delivered.
CREATE TABLE complaint_callbacks (
    id            BIGSERIAL PRIMARY KEY,
    complaint_id  BIGINT NOT NULL REFERENCES complaints(id),
    body          TEXT NOT NULL,
    state         TEXT NOT NULL,
    attempts      BIGINT NOT NULL,
    next_at       BIGINT NOT NULL,
    last_error    TEXT,
    created_at    BIGINT NOT NULL,
    delivered_at  BIGINT
);
CREATE INDEX complaint_callbacks_due ON complaint_callbacks (state, next_at);
