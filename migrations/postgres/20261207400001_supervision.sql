-- Supervision and assessment (P 四, A2 §13, A4 §13, A5 §11; SPEC R10.2; issue #21 §4).
--
-- supervision_figures: one row per unit and month (Beijing), counters kept up to date by the
-- supervision sweep, a cursor over the audit log (whose `seq` is assigned under the chain
-- head's lock at commit, so it grows in commit order): each act is counted exactly once.
-- Complaint figures are read from complaint_figures (kept by the complaints workflow).

CREATE TABLE supervision_cursor (
    name       TEXT PRIMARY KEY,
    last_seq   BIGINT NOT NULL,
    touched_at BIGINT NOT NULL
);
INSERT INTO supervision_cursor (name, last_seq, touched_at) VALUES ('audit', 0, 0);

CREATE TABLE supervision_figures (
    org_id             BIGINT NOT NULL REFERENCES orgs(id),
    month              TEXT NOT NULL,
    answered_on_time   BIGINT NOT NULL DEFAULT 0,
    answered_late      BIGINT NOT NULL DEFAULT 0,
    returned_on_time   BIGINT NOT NULL DEFAULT 0,
    returned_late      BIGINT NOT NULL DEFAULT 0,
    -- Answer time (sent → answered/returned, milliseconds) by class: 30m, 1wd, 2wd, other.
    n_30m              BIGINT NOT NULL DEFAULT 0,
    ms_30m             BIGINT NOT NULL DEFAULT 0,
    n_1wd              BIGINT NOT NULL DEFAULT 0,
    ms_1wd             BIGINT NOT NULL DEFAULT 0,
    n_2wd              BIGINT NOT NULL DEFAULT 0,
    ms_2wd             BIGINT NOT NULL DEFAULT 0,
    n_other            BIGINT NOT NULL DEFAULT 0,
    ms_other           BIGINT NOT NULL DEFAULT 0,
    adjustments_on_time BIGINT NOT NULL DEFAULT 0,
    adjustments_late   BIGINT NOT NULL DEFAULT 0,
    checks_on_time     BIGINT NOT NULL DEFAULT 0,
    checks_late        BIGINT NOT NULL DEFAULT 0,
    -- Accountability measures decided; of them exempted (A5 §11) and revoked on appeal.
    measures           BIGINT NOT NULL DEFAULT 0,
    measures_exempted  BIGINT NOT NULL DEFAULT 0,
    measures_revoked   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (org_id, month)
);
CREATE INDEX supervision_figures_month ON supervision_figures (month, org_id);

-- Random checks (双随机): the pools, the seed and the algorithm are recorded so anyone can
-- reproduce the draw; scheduled reviews and special inspections are inspections too.
CREATE TABLE supervision_draws (
    id              BIGSERIAL PRIMARY KEY,
    title           TEXT NOT NULL,
    algorithm       TEXT NOT NULL,
    seed            TEXT NOT NULL,
    -- JSON arrays of ids, in the order drawn from (ascending ids).
    unit_pool       TEXT NOT NULL,
    inspector_pool  TEXT NOT NULL,
    units_drawn     TEXT NOT NULL,
    inspectors_per_unit BIGINT NOT NULL,
    created_by      TEXT NOT NULL,
    created_at      BIGINT NOT NULL
);

CREATE TABLE supervision_inspections (
    id          BIGSERIAL PRIMARY KEY,
    kind        TEXT NOT NULL,
    draw_id     BIGINT REFERENCES supervision_draws(id),
    org_id      BIGINT NOT NULL REFERENCES orgs(id),
    title       TEXT NOT NULL,
    -- JSON array of staff ids (the inspectors).
    inspectors  TEXT NOT NULL,
    state       TEXT NOT NULL,
    planned_on  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    closed_at   BIGINT
);
CREATE INDEX supervision_inspections_org ON supervision_inspections (org_id, id);

CREATE TABLE supervision_findings (
    id            BIGSERIAL PRIMARY KEY,
    inspection_id BIGINT NOT NULL REFERENCES supervision_inspections(id),
    text          TEXT NOT NULL,
    deadline_id   BIGINT NOT NULL,
    due_at        BIGINT NOT NULL,
    state         TEXT NOT NULL,
    done_note     TEXT,
    done_at       BIGINT,
    created_by    TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);
CREATE INDEX supervision_findings_inspection ON supervision_findings (inspection_id);

-- The order to rectify within a time limit (A5 §5(一)) as a deadline of the engine.
ALTER TABLE accountability_cases ADD COLUMN rectify_deadline_id BIGINT;

-- Deadline rules: the follow-up of a finding and the rectification order carry their own
-- limit as the statutory limit; the rule's period is only the outer bound the engine needs.
INSERT INTO deadline_rules (rule_key, version, period, max_extension, effective_from, note, created_by, created_at)
VALUES ('supervision.follow_up', 1, '9999cd', NULL, '2021-03-12',
        '督查发现问题限期整改：以决定的期限为准（实施方案四）', '系统（督查迁移）', 0);
INSERT INTO deadline_rules (rule_key, version, period, max_extension, effective_from, note, created_by, created_at)
VALUES ('accountability.rectification', 1, '9999cd', NULL, '2021-03-12',
        '责令限期整改：以问责决定的整改期限为准（附件5第五条）', '系统（督查迁移）', 0);
