-- Violation records (问责线索, A5 §4): facts established by cases, complaints, list
-- adjustments, verifications and commitment checks, kept for the accountability workflow.
-- One record per (source, source_ref, kind): recording the same fact twice is a no-op, so
-- two instances noticing the same overdue request make one record.

CREATE TABLE violation_records (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT NOT NULL,
    source       TEXT NOT NULL,
    -- The evidence in the source workflow, e.g. `case:12/proof:3`, `complaint:7`.
    source_ref   TEXT NOT NULL,
    org_id       BIGINT NOT NULL REFERENCES orgs(id),
    -- The staff member concerned, when one is known.
    staff_id     BIGINT REFERENCES staff(id),
    summary      TEXT NOT NULL,
    occurred_at  BIGINT NOT NULL,
    recorded_by  TEXT NOT NULL,
    recorded_at  BIGINT NOT NULL,
    UNIQUE (source, source_ref, kind)
);
CREATE INDEX violation_records_org ON violation_records (org_id, occurred_at);
CREATE INDEX violation_records_recorded ON violation_records (recorded_at);
