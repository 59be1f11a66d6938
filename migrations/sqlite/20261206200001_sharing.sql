-- Data sharing (issue #18, P 三(二)1, SPEC R3): the data-sharing list (versioned, reviewed
-- by the joint office, published), e-licences and e-proofs with their extracts, entitled
-- pulls with the applicant's consent, the sources they come from, and e-proofs asked for
-- use outside the city (A4 §4(4)).

CREATE TABLE sharing_entries (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    proof_item_id  BIGINT NOT NULL UNIQUE REFERENCES proof_items(id),
    issuer_org_id  BIGINT NOT NULL REFERENCES orgs(id),
    created_at     BIGINT NOT NULL
);

-- One row per version; only one is `published` at a time (older ones `superseded`).
CREATE TABLE sharing_entry_versions (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    entry_id       BIGINT NOT NULL REFERENCES sharing_entries(id),
    version        BIGINT NOT NULL,
    state          TEXT NOT NULL,
    source         TEXT NOT NULL,
    kind           TEXT NOT NULL,
    -- JSON array of typed field specs (the standard data template).
    fields         TEXT NOT NULL,
    -- JSON array of {org_id, service_code}: the units entitled and for which services.
    grants         TEXT NOT NULL,
    note           TEXT NOT NULL,
    created_by     TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    submitted_at   BIGINT,
    reviewed_by    TEXT,
    reviewed_at    BIGINT,
    review_note    TEXT,
    published_at   BIGINT,
    UNIQUE (entry_id, version)
);
CREATE INDEX sharing_entry_versions_state ON sharing_entry_versions (state, entry_id);

-- The published grants, materialised for the entitlement check of every pull.
CREATE TABLE sharing_grants (
    proof_item_id  BIGINT NOT NULL REFERENCES proof_items(id),
    org_id         BIGINT NOT NULL REFERENCES orgs(id),
    service_code   TEXT NOT NULL,
    entry_id       BIGINT NOT NULL REFERENCES sharing_entries(id),
    PRIMARY KEY (proof_item_id, org_id, service_code)
);

CREATE TABLE eproofs (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    -- GB/T 36904 identifier with its ISO 7064 MOD 37,36 check character.
    identifier     TEXT NOT NULL UNIQUE,
    proof_item_id  BIGINT NOT NULL REFERENCES proof_items(id),
    kind           TEXT NOT NULL,
    issuer_org_id  BIGINT NOT NULL REFERENCES orgs(id),
    person_id      BIGINT NOT NULL REFERENCES persons(id),
    data           TEXT NOT NULL,
    -- SM3 of the issued content, so a batch sent again is recognised as the same.
    content_sm3    TEXT NOT NULL,
    sealed_id      TEXT NOT NULL,
    valid_from     TEXT NOT NULL,
    valid_to       TEXT,
    state          TEXT NOT NULL,
    state_reason   TEXT,
    replaced_by    BIGINT,
    issued_at      BIGINT NOT NULL,
    issued_by      TEXT NOT NULL,
    changed_at     BIGINT
);
CREATE INDEX eproofs_holder ON eproofs (person_id, proof_item_id, state);
CREATE INDEX eproofs_issuer ON eproofs (issuer_org_id, issued_at);

-- Every rendered copy (the issuer's own and each unit's extract) has a short code for the
-- public verify page, stamped with the extracting unit and the time (Ningbo practice).
CREATE TABLE eproof_extracts (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    code               TEXT NOT NULL UNIQUE,
    eproof_id          BIGINT NOT NULL REFERENCES eproofs(id),
    extracting_org_id  BIGINT NOT NULL REFERENCES orgs(id),
    pull_id            BIGINT,
    extracted_at       BIGINT NOT NULL
);
CREATE INDEX eproof_extracts_eproof ON eproof_extracts (eproof_id);

-- One-time authorisation codes generated on the portal (8 digits, 10 minutes, one use,
-- bound to unit + item). Only a salted SM3 of the code is kept.
CREATE TABLE sharing_consent_codes (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id      BIGINT NOT NULL REFERENCES persons(id),
    org_id         BIGINT NOT NULL REFERENCES orgs(id),
    proof_item_id  BIGINT NOT NULL REFERENCES proof_items(id),
    salt           TEXT NOT NULL,
    code_sm3       TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL,
    used_at        BIGINT,
    used_by_pull   BIGINT
);
CREATE INDEX sharing_consent_codes_person ON sharing_consent_codes (person_id, expires_at);

CREATE TABLE sharing_pulls (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    public_id        TEXT NOT NULL UNIQUE,
    org_id           BIGINT NOT NULL REFERENCES orgs(id),
    proof_item_id    BIGINT NOT NULL REFERENCES proof_items(id),
    person_id        BIGINT NOT NULL REFERENCES persons(id),
    case_id          BIGINT NOT NULL,
    purpose          TEXT NOT NULL,
    service_code     TEXT NOT NULL,
    outcome          TEXT NOT NULL,
    reason           TEXT NOT NULL,
    source           TEXT,
    eproof_id        BIGINT,
    -- What would be released, shown to the applicant before they allow (OOTS preview);
    -- cleared when they decline.
    preview          TEXT,
    consent_channel  TEXT,
    extract_code     TEXT,
    created_by       TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    decided_at       BIGINT
);
CREATE INDEX sharing_pulls_person ON sharing_pulls (person_id, outcome);
CREATE INDEX sharing_pulls_org ON sharing_pulls (org_id, created_at);

-- Pluggable sources (issue #18 §4): where the city platform answers and with which key.
CREATE TABLE sharing_sources (
    source       TEXT PRIMARY KEY,
    base_url     TEXT NOT NULL,
    app_id       TEXT NOT NULL,
    -- SM4-GCM under the deployment master key.
    secret_enc   TEXT NOT NULL,
    timeout_ms   BIGINT NOT NULL,
    retries      BIGINT NOT NULL,
    updated_by   TEXT NOT NULL,
    updated_at   BIGINT NOT NULL
);

-- Nonces of signed batch requests seen inside the replay window.
CREATE TABLE sharing_nonces (
    nonce      TEXT PRIMARY KEY,
    seen_at    BIGINT NOT NULL
);

CREATE TABLE sharing_outside_requests (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id       BIGINT NOT NULL REFERENCES persons(id),
    proof_item_id   BIGINT NOT NULL REFERENCES proof_items(id),
    issuer_org_id   BIGINT NOT NULL REFERENCES orgs(id),
    destination     TEXT NOT NULL,
    purpose         TEXT NOT NULL,
    state           TEXT NOT NULL,
    due_at          BIGINT NOT NULL,
    eproof_id       BIGINT,
    refusal_reason  TEXT,
    created_at      BIGINT NOT NULL,
    decided_at      BIGINT,
    decided_by      TEXT
);
CREATE INDEX sharing_outside_issuer ON sharing_outside_requests (issuer_org_id, state, due_at);
CREATE INDEX sharing_outside_person ON sharing_outside_requests (person_id, created_at);
