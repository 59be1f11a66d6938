-- The other copies of personal data at rest (issue #16 item 9), encrypted like persons
-- (SM4-GCM under the versioned data key, see `crates/app/src/applicants/columns.rs`).
--
-- A verification names its subject (name, resident ID or credit code) and holds the facts
-- the applicant stated (which name them, in the existing `facts` column); a ledger entry
-- its subject's name; a commitment letter names the applicant and their resident ID; a
-- sealed document's signed bytes name persons. Each row gets the data key version it is
-- under; 0 marks a row written before this migration, still in clear in the (renamed)
-- columns, which the application encrypts at start-up before it serves. Lists show the
-- masked name column. None of these is looked up by value, so no blind index is needed.
ALTER TABLE verifications RENAME COLUMN subject_name TO subject_name_enc;
ALTER TABLE verifications RENAME COLUMN subject_code TO subject_code_enc;
ALTER TABLE verifications ADD COLUMN subject_name_masked TEXT NOT NULL DEFAULT '';
ALTER TABLE verifications ADD COLUMN pii_key_version BIGINT NOT NULL DEFAULT 0;
CREATE INDEX verifications_pii_key_version ON verifications (pii_key_version, id);

ALTER TABLE verification_ledger RENAME COLUMN subject_name TO subject_name_enc;
ALTER TABLE verification_ledger ADD COLUMN subject_name_masked TEXT NOT NULL DEFAULT '';
ALTER TABLE verification_ledger ADD COLUMN pii_key_version BIGINT NOT NULL DEFAULT 0;
CREATE INDEX verification_ledger_pii_key_version ON verification_ledger (pii_key_version, id);

ALTER TABLE commitments ADD COLUMN letter_key_version BIGINT NOT NULL DEFAULT 0;
CREATE INDEX commitments_letter_key_version ON commitments (letter_key_version, id);

ALTER TABLE sealed_documents ADD COLUMN body_key_version BIGINT NOT NULL DEFAULT 0;
CREATE INDEX sealed_documents_body_key_version ON sealed_documents (body_key_version, id);

-- A sealed letter's text still never changes, but its ciphertext does when the data key
-- is rotated (the key version changes with it).
CREATE OR REPLACE FUNCTION commitments_letter_is_sealed() RETURNS trigger AS $$
BEGIN
    IF OLD.sealed_id <> '' AND (NEW.sealed_id IS DISTINCT FROM OLD.sealed_id
       OR NEW.person_id IS DISTINCT FROM OLD.person_id OR NEW.subject_ref IS DISTINCT FROM OLD.subject_ref
       OR (NEW.letter IS DISTINCT FROM OLD.letter AND NEW.letter_key_version = OLD.letter_key_version)) THEN
        RAISE EXCEPTION '承诺书已签署并加盖电子印章，不能修改';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
