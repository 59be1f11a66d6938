-- Approved list adjustments flow into the next list version (A3 §5, §11; issue #19): the
-- adjustment workflow records what an approval does to the list as an amendment of the
-- catalogue — an item taken off the list (取消), an item taken in (新增, 变更证明本身) or its
-- replacement method replaced (变更替代方式) — with the adjustment's grounds as a note. The
-- joint office's next prepared version applies the newest amendment of each item and
-- gathers the pending ones (version_id), so the version diff and the feeds name them.
CREATE TABLE list_amendments (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    proof_item_id   BIGINT NOT NULL REFERENCES proof_items(id),
    effect          TEXT NOT NULL CHECK (effect IN ('remove', 'include', 'methods')),
    -- The replacement methods after the amendment (JSON array of method snapshots).
    methods         TEXT NOT NULL DEFAULT '[]',
    source_kind     TEXT NOT NULL,
    source_id       BIGINT NOT NULL,
    note            TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    -- The list version that first gathered it.
    version_id      BIGINT REFERENCES list_versions(id),
    UNIQUE (source_kind, source_id)
);
CREATE INDEX list_amendments_item ON list_amendments (proof_item_id, id);
CREATE INDEX list_amendments_version ON list_amendments (version_id);

-- Complainants' contacts and commenters' phones are rotated with the data key like the
-- other copies of personal data (`applicants/columns.rs`): each row names the data key
-- version it is under. Rows already stored are encrypted (at least version 1).
ALTER TABLE complaints ADD COLUMN contact_key_version BIGINT NOT NULL DEFAULT 1;
CREATE INDEX complaints_contact_key_version ON complaints (contact_key_version, id);
-- The portal's 我的投诉 lists a citizen's own complaints, newest first.
CREATE INDEX complaints_portal_person ON complaints (portal_person_id, id);
ALTER TABLE adjustment_comments ADD COLUMN phone_key_version BIGINT NOT NULL DEFAULT 1;
CREATE INDEX adjustment_comments_phone_key_version ON adjustment_comments (phone_key_version, id);

-- The 12345 callback secret is stored encrypted under the data key; 0 marks a secret
-- stored before this migration, still in clear, encrypted at start-up before serving.
ALTER TABLE complaint_hotline_link ADD COLUMN secret_key_version BIGINT NOT NULL DEFAULT 0;
