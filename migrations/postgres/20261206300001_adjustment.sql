-- List adjustment (动态调整, annex 3; SPEC R7): applications with their grounds, filing
-- deadline and review; attachments kept with their SM3 hash; events the joint office
-- recorded (a law change it noticed) that start a unit's filing deadline; the public's
-- comments and suggestions; the demand radar (searches that found nothing) and the
-- synonyms the joint office maintains. Instants are BIGINT ms (UTC); dates TEXT YYYY-MM-DD.

CREATE TABLE adjustment_events (
    id              BIGSERIAL PRIMARY KEY,
    org_id          BIGINT NOT NULL REFERENCES orgs(id),
    proof_item_id   BIGINT NOT NULL REFERENCES proof_items(id),
    description     TEXT NOT NULL,
    event_date      TEXT NOT NULL,
    deadline_id     BIGINT,
    due_at          BIGINT NOT NULL,
    recorded_by     TEXT NOT NULL,
    recorded_at     BIGINT NOT NULL,
    -- The application that answered it, when filed.
    adjustment_id   BIGINT
);
CREATE INDEX adjustment_events_due ON adjustment_events (due_at);

CREATE TABLE adjustments (
    id                  BIGSERIAL PRIMARY KEY,
    org_id              BIGINT NOT NULL REFERENCES orgs(id),
    proof_item_id       BIGINT NOT NULL REFERENCES proof_items(id),
    item_name           TEXT NOT NULL,
    service_item        TEXT NOT NULL DEFAULT '',
    kind                TEXT NOT NULL,
    target              TEXT,
    method              TEXT,
    method_text         TEXT NOT NULL DEFAULT '',
    interim_method      TEXT NOT NULL,
    interim_text        TEXT NOT NULL DEFAULT '',
    ground              TEXT NOT NULL,
    ground_text         TEXT NOT NULL DEFAULT '',
    basis_law           TEXT NOT NULL DEFAULT '',
    basis_article       TEXT NOT NULL DEFAULT '',
    description         TEXT NOT NULL,
    trigger_date        TEXT NOT NULL,
    filed_at            BIGINT NOT NULL,
    due_at              BIGINT NOT NULL,
    late                BOOLEAN NOT NULL DEFAULT FALSE,
    deadline_id         BIGINT,
    event_id            BIGINT REFERENCES adjustment_events(id),
    comment_id          BIGINT,
    started_by_office   BOOLEAN NOT NULL DEFAULT FALSE,
    state               TEXT NOT NULL,
    supplement_note     TEXT NOT NULL DEFAULT '',
    supplement_due      TEXT,
    supplement_reply    TEXT NOT NULL DEFAULT '',
    return_reasons      TEXT NOT NULL DEFAULT '',
    legal_review_id     BIGINT,
    decided_by          TEXT,
    decided_at          BIGINT,
    published_version_id BIGINT,
    published_at        BIGINT,
    filed_by            TEXT NOT NULL,
    updated_at          BIGINT NOT NULL
);
CREATE INDEX adjustments_org ON adjustments (org_id, filed_at);
CREATE INDEX adjustments_item ON adjustments (proof_item_id);
CREATE INDEX adjustments_state ON adjustments (state);
-- A3 §9: one open application per item at a time.
CREATE UNIQUE INDEX adjustments_one_open ON adjustments (proof_item_id)
    WHERE state IN ('filed', 'supplement_requested');

CREATE TABLE adjustment_attachments (
    id             BIGSERIAL PRIMARY KEY,
    adjustment_id  BIGINT NOT NULL REFERENCES adjustments(id),
    file_name      TEXT NOT NULL,
    sm3            TEXT NOT NULL,
    size           BIGINT NOT NULL,
    content        BYTEA NOT NULL,
    uploaded_by    TEXT NOT NULL,
    uploaded_at    BIGINT NOT NULL
);
CREATE INDEX adjustment_attachments_adj ON adjustment_attachments (adjustment_id);

-- A3 §12: the public's comments and suggestions. The phone, when given, is kept sealed.
CREATE TABLE adjustment_comments (
    id              BIGSERIAL PRIMARY KEY,
    proof_item_id   BIGINT NOT NULL REFERENCES proof_items(id),
    item_name       TEXT NOT NULL,
    kind            TEXT NOT NULL,
    body            TEXT NOT NULL,
    author_name     TEXT NOT NULL DEFAULT '',
    phone_sealed    TEXT,
    portal_user     BOOLEAN NOT NULL DEFAULT FALSE,
    person_id       BIGINT,
    state           TEXT NOT NULL,
    merged_into     BIGINT,
    answer          TEXT NOT NULL DEFAULT '',
    answered_by     TEXT,
    answered_at     BIGINT,
    adjustment_id   BIGINT,
    created_at      BIGINT NOT NULL
);
CREATE INDEX adjustment_comments_item ON adjustment_comments (proof_item_id, state);
CREATE INDEX adjustment_comments_state ON adjustment_comments (state, created_at);

-- The demand radar: public searches that found nothing, per normalised query.
CREATE TABLE search_misses (
    query       TEXT PRIMARY KEY,
    hits        BIGINT NOT NULL,
    first_at    BIGINT NOT NULL,
    last_at     BIGINT NOT NULL
);

-- Everyday words the joint office maps to a list's word (户口证明 → 户籍证明).
CREATE TABLE search_synonyms (
    term        TEXT PRIMARY KEY,
    canonical   TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
