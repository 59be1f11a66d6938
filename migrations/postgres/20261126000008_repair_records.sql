-- Credit repair also for a serious bad record without a blacklist entry (SPEC R4.4): a
-- dismissed blacklist proposal leaves the false-commitment record, which bars commitment
-- until repaired.
ALTER TABLE credit_repairs ALTER COLUMN entry_id DROP NOT NULL;
CREATE INDEX credit_repairs_subject ON credit_repairs (subject_ref, state);
