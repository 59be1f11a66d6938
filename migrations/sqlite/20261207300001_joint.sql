-- The joint meeting (A1; SPEC R10.1), the risk register (R10.3) and training records of
-- liaisons and proxy agents (A2 §6).

-- The registry (A1 二): chief convener, conveners, members, the office director at the
-- approval bureau and the task force drawn from four units. A member unit is any unit with a
-- convener or member row.
CREATE TABLE joint_members (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id      BIGINT NOT NULL REFERENCES orgs(id),
    position    TEXT NOT NULL,
    person_name TEXT NOT NULL,
    person_title TEXT NOT NULL,
    active      BOOLEAN NOT NULL DEFAULT 1,
    created_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX joint_members_org ON joint_members (org_id, active);

-- One liaison per member unit (A1 三(三)); a change ends the current row and files a new one,
-- so the history stays.
CREATE TABLE joint_liaisons (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id      BIGINT NOT NULL REFERENCES orgs(id),
    person_name TEXT NOT NULL,
    phone       TEXT NOT NULL,
    since_on    TEXT NOT NULL,
    until_on    TEXT,
    reason      TEXT NOT NULL,
    filed_by    TEXT NOT NULL,
    filed_at    BIGINT NOT NULL,
    current     BOOLEAN NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX joint_liaisons_current ON joint_liaisons (org_id) WHERE current = 1;

-- The recurring obligations: the half-yearly regular meeting, and each unit's yearly review
-- of its risk register; each names its open deadline in the engine.
CREATE TABLE joint_obligations (
    name        TEXT PRIMARY KEY,
    deadline_id BIGINT NOT NULL REFERENCES deadlines(id),
    since_at    BIGINT NOT NULL
);

CREATE TABLE joint_meetings (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT NOT NULL,
    state           TEXT NOT NULL,
    title           TEXT NOT NULL,
    planned_on      TEXT NOT NULL,
    place           TEXT NOT NULL,
    liaison_held_on TEXT,
    liaison_notes   TEXT,
    held_on         TEXT,
    summary         TEXT,
    sealed_id       TEXT,
    sealed_at       BIGINT,
    created_by      TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    version         BIGINT NOT NULL DEFAULT 0
);

-- Agenda items (A1 三(二)): proposed by a convener or a member unit, accepted by a convener.
CREATE TABLE joint_agenda_items (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    meeting_id  BIGINT NOT NULL REFERENCES joint_meetings(id),
    title       TEXT NOT NULL,
    description TEXT NOT NULL,
    org_id      BIGINT NOT NULL REFERENCES orgs(id),
    proposed_by TEXT NOT NULL,
    state       TEXT NOT NULL,
    decided_by  TEXT,
    created_at  BIGINT NOT NULL
);
CREATE INDEX joint_agenda_meeting ON joint_agenda_items (meeting_id);

-- Attendance of each member unit (A1 三(一): absence only with a reason).
CREATE TABLE joint_attendance (
    meeting_id BIGINT NOT NULL REFERENCES joint_meetings(id),
    org_id     BIGINT NOT NULL REFERENCES orgs(id),
    present    BOOLEAN NOT NULL,
    attendee   TEXT NOT NULL,
    reason     TEXT NOT NULL,
    PRIMARY KEY (meeting_id, org_id)
);

-- Decisions of the minutes (A1 三(五)) and matters referred to the county government
-- (A1 三(四)); each with an owner unit and a deadline in the engine, tracked until carried out.
CREATE TABLE joint_decisions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    meeting_id  BIGINT NOT NULL REFERENCES joint_meetings(id),
    kind        TEXT NOT NULL,
    text        TEXT NOT NULL,
    owner_org_id BIGINT NOT NULL REFERENCES orgs(id),
    due_on      TEXT NOT NULL,
    deadline_id BIGINT REFERENCES deadlines(id),
    state       TEXT NOT NULL,
    done_at     BIGINT,
    created_at  BIGINT NOT NULL
);
CREATE INDEX joint_decisions_owner ON joint_decisions (owner_org_id, state);
CREATE INDEX joint_decisions_meeting ON joint_decisions (meeting_id);

CREATE TABLE joint_progress (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    decision_id BIGINT NOT NULL REFERENCES joint_decisions(id),
    text        TEXT NOT NULL,
    done        BOOLEAN NOT NULL,
    org_id      BIGINT NOT NULL REFERENCES orgs(id),
    reported_by TEXT NOT NULL,
    reported_at BIGINT NOT NULL
);
CREATE INDEX joint_progress_decision ON joint_progress (decision_id);

-- The risk register (P 三(四)5; R10.3): each unit's risk points of its steps and controls.
CREATE TABLE risk_points (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id      BIGINT NOT NULL REFERENCES orgs(id),
    step        TEXT NOT NULL,
    risk        TEXT NOT NULL,
    level       TEXT NOT NULL,
    controls    TEXT NOT NULL,
    active      BOOLEAN NOT NULL DEFAULT 1,
    created_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX risk_points_org ON risk_points (org_id, active);

CREATE TABLE risk_reviews (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id      BIGINT NOT NULL REFERENCES orgs(id),
    note        TEXT NOT NULL,
    points      BIGINT NOT NULL,
    reviewed_by TEXT NOT NULL,
    reviewed_at BIGINT NOT NULL
);
CREATE INDEX risk_reviews_org ON risk_reviews (org_id, reviewed_at);

-- Training records of liaisons and proxy agents (A2 §6).
CREATE TABLE staff_training (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    staff_id    BIGINT NOT NULL REFERENCES staff(id),
    org_id      BIGINT NOT NULL REFERENCES orgs(id),
    trained_on  TEXT NOT NULL,
    course      TEXT NOT NULL,
    hours_x10   BIGINT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at BIGINT NOT NULL
);
CREATE INDEX staff_training_org ON staff_training (org_id, trained_on);

-- Deadline rules: each period is an outer bound; the obligation's own limit (six months after
-- the last regular meeting, a year after the last review, the decision's own date) is given
-- as the deadline's statutory limit and binds.
INSERT INTO deadline_rules (rule_key, version, period, max_extension, effective_from, note, created_by, created_at)
VALUES ('joint.meeting', 1, '184cd', NULL, '2021-03-12',
        '联席会议原则上每半年召开一次例会（附件1 三(一)）', '系统（联席会议迁移）', 0);
INSERT INTO deadline_rules (rule_key, version, period, max_extension, effective_from, note, created_by, created_at)
VALUES ('joint.decision', 1, '9999cd', NULL, '2021-03-12',
        '联席会议议定事项：以纪要确定的完成时限为准（附件1 三(五)）', '系统（联席会议迁移）', 0);
INSERT INTO deadline_rules (rule_key, version, period, max_extension, effective_from, note, created_by, created_at)
VALUES ('risk.review', 1, '366cd', NULL, '2021-03-12',
        '风险台账每年复核一次（实施方案三(四)5）', '系统（联席会议迁移）', 0);
