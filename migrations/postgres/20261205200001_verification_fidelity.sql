-- Issue #15 §4, §10, §11, §9 (verification): the instant a request was reclassified (the joint
-- office's board lists every reclassification, A2 §7), a return after the due instant recorded
-- as late (SPEC R5.3), the request's own due instant kept when the joint office orders a new
-- limit (A2 §11: the order has its own column, order_due_at), and the report grace moved from
-- the plain settings table to the versioned trial-period settings.
ALTER TABLE verifications ADD COLUMN reclassified_at BIGINT;
ALTER TABLE verifications ADD COLUMN returned_late BOOLEAN NOT NULL DEFAULT FALSE;

UPDATE verifications SET reclassified_at = (
    SELECT MAX(e.at) FROM verification_events e
    WHERE e.verification_id = verifications.id AND e.kind = 'reclassify')
WHERE reclass_reason IS NOT NULL;

-- An order used to overwrite due_at; the deadline engine kept the request's own due instant.
UPDATE verifications SET due_at = (
    SELECT d.due_at FROM deadlines d WHERE d.id = verifications.deadline_id)
WHERE ordered_at IS NOT NULL AND deadline_id IS NOT NULL
  AND EXISTS (SELECT 1 FROM deadlines d WHERE d.id = verifications.deadline_id AND d.due_at IS NOT NULL);

CREATE INDEX verifications_reclassified ON verifications(reclassified_at);

-- A grace set before: version 1 of the setting, governing every request from the start.
INSERT INTO policy_settings (key, version, value, effective_from, note, created_by, created_at)
SELECT key, 1, value, '2000-01-01', '由原系统设置迁入', 'migration', CAST(EXTRACT(EPOCH FROM now()) * 1000 AS BIGINT)
FROM settings WHERE key = 'verification.report_grace_minutes';
DELETE FROM settings WHERE key = 'verification.report_grace_minutes';
