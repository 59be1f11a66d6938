-- Personal data at rest (issue #16 items 6 and 9).
--
-- A person's resident ID, name and phone are stored encrypted (SM4-GCM under a versioned
-- data key, `data_keys`, itself wrapped under the master key); `rid_index` is the keyed
-- HMAC-SM3 blind index of the resident ID, the only thing equality lookups compare, and
-- keeps the old column's UNIQUE constraint. `key_version` is the data key a row is
-- encrypted under; 0 marks a row written before this migration, still in clear in the
-- renamed columns, which the application encrypts at start-up before it serves.
-- `public_id` is the person's opaque id in URLs and the API (128 random bits, hex).
ALTER TABLE persons RENAME COLUMN resident_id TO rid_index;
ALTER TABLE persons RENAME COLUMN name TO name_enc;
ALTER TABLE persons RENAME COLUMN phone TO phone_enc;
ALTER TABLE persons ADD COLUMN resident_id_enc TEXT;
ALTER TABLE persons ADD COLUMN key_version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE persons ADD COLUMN public_id TEXT;
-- The name as lists show it (first character, the rest starred): what the other workflows
-- join to their rows; the full name is only in `name_enc`.
ALTER TABLE persons ADD COLUMN name_masked TEXT NOT NULL DEFAULT '';
UPDATE persons SET public_id = replace(gen_random_uuid()::text, '-', '');
CREATE UNIQUE INDEX persons_public_id ON persons (public_id);
CREATE INDEX persons_key_version ON persons (key_version, id);

CREATE TABLE data_keys (
    version    BIGINT PRIMARY KEY,
    wrapped    TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- A read of a person needs a case, verification or commitment of the reader's unit that
-- involves the person (item 6): with `cases_applicant` and `verifications_subject` this
-- makes that check index lookups.
CREATE INDEX commitments_person ON commitments (person_id);
