-- Credit repair also for a serious bad record without a blacklist entry (SPEC R4.4): a
-- dismissed blacklist proposal leaves the false-commitment record, which bars commitment
-- until repaired. SQLite cannot drop NOT NULL in place: the table is rebuilt.
CREATE TABLE credit_repairs_new (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    subject_ref   TEXT NOT NULL,
    entry_id      BIGINT REFERENCES blacklist_entries(id),
    rectification TEXT NOT NULL,
    state         TEXT NOT NULL,
    reasons       TEXT,
    requested_by  TEXT NOT NULL,
    decided_by    TEXT,
    decided_at    BIGINT,
    created_at    BIGINT NOT NULL
);
INSERT INTO credit_repairs_new SELECT id, subject_ref, entry_id, rectification, state, reasons,
    requested_by, decided_by, decided_at, created_at FROM credit_repairs;
DROP TABLE credit_repairs;
ALTER TABLE credit_repairs_new RENAME TO credit_repairs;
CREATE INDEX credit_repairs_state ON credit_repairs (state);
CREATE INDEX credit_repairs_subject ON credit_repairs (subject_ref, state);
