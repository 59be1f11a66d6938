-- Public ids (issue #21 gaps): the joint meeting's seats, meetings, agenda items and decisions,
-- risk points, supervision draws, inspections and findings, and accountability cases are
-- addressed outside by an opaque public id (128 random bits, hex), like persons and pulls;
-- the integer ids stay inside the database. Rows written before get one now.

ALTER TABLE joint_members ADD COLUMN public_id TEXT;
UPDATE joint_members SET public_id = lower(hex(randomblob(16)));
CREATE UNIQUE INDEX joint_members_public_id ON joint_members (public_id);

ALTER TABLE joint_meetings ADD COLUMN public_id TEXT;
UPDATE joint_meetings SET public_id = lower(hex(randomblob(16)));
CREATE UNIQUE INDEX joint_meetings_public_id ON joint_meetings (public_id);

ALTER TABLE joint_agenda_items ADD COLUMN public_id TEXT;
UPDATE joint_agenda_items SET public_id = lower(hex(randomblob(16)));
CREATE UNIQUE INDEX joint_agenda_items_public_id ON joint_agenda_items (public_id);

ALTER TABLE joint_decisions ADD COLUMN public_id TEXT;
UPDATE joint_decisions SET public_id = lower(hex(randomblob(16)));
CREATE UNIQUE INDEX joint_decisions_public_id ON joint_decisions (public_id);

ALTER TABLE risk_points ADD COLUMN public_id TEXT;
UPDATE risk_points SET public_id = lower(hex(randomblob(16)));
CREATE UNIQUE INDEX risk_points_public_id ON risk_points (public_id);

ALTER TABLE supervision_draws ADD COLUMN public_id TEXT;
UPDATE supervision_draws SET public_id = lower(hex(randomblob(16)));
CREATE UNIQUE INDEX supervision_draws_public_id ON supervision_draws (public_id);

ALTER TABLE supervision_inspections ADD COLUMN public_id TEXT;
UPDATE supervision_inspections SET public_id = lower(hex(randomblob(16)));
CREATE UNIQUE INDEX supervision_inspections_public_id ON supervision_inspections (public_id);

ALTER TABLE supervision_findings ADD COLUMN public_id TEXT;
UPDATE supervision_findings SET public_id = lower(hex(randomblob(16)));
CREATE UNIQUE INDEX supervision_findings_public_id ON supervision_findings (public_id);

ALTER TABLE accountability_cases ADD COLUMN public_id TEXT;
UPDATE accountability_cases SET public_id = lower(hex(randomblob(16)));
CREATE UNIQUE INDEX accountability_cases_public_id ON accountability_cases (public_id);
