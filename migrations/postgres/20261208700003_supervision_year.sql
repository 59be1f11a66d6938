-- Supervision counters per unit and year (issue #21 §5: the county-wide dashboard of a year
-- over 20,000 units answers p99 ≤ 200 ms): a year's line is one row, not twelve to sum.
-- Kept with `supervision_figures` by the same sweep, in the same transaction.
CREATE TABLE supervision_year (
    org_id             BIGINT NOT NULL REFERENCES orgs(id),
    year               TEXT NOT NULL,
    answered_on_time   BIGINT NOT NULL DEFAULT 0,
    answered_late      BIGINT NOT NULL DEFAULT 0,
    returned_on_time   BIGINT NOT NULL DEFAULT 0,
    returned_late      BIGINT NOT NULL DEFAULT 0,
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
    measures           BIGINT NOT NULL DEFAULT 0,
    measures_exempted  BIGINT NOT NULL DEFAULT 0,
    measures_revoked   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (year, org_id)
);
INSERT INTO supervision_year (org_id, year, answered_on_time, answered_late, returned_on_time,
    returned_late, n_30m, ms_30m, n_1wd, ms_1wd, n_2wd, ms_2wd, n_other, ms_other,
    adjustments_on_time, adjustments_late, checks_on_time, checks_late, measures,
    measures_exempted, measures_revoked)
SELECT org_id, SUBSTR(month, 1, 4), SUM(answered_on_time), SUM(answered_late), SUM(returned_on_time),
    SUM(returned_late), SUM(n_30m), SUM(ms_30m), SUM(n_1wd), SUM(ms_1wd), SUM(n_2wd), SUM(ms_2wd),
    SUM(n_other), SUM(ms_other), SUM(adjustments_on_time), SUM(adjustments_late), SUM(checks_on_time),
    SUM(checks_late), SUM(measures), SUM(measures_exempted), SUM(measures_revoked)
FROM supervision_figures GROUP BY org_id, SUBSTR(month, 1, 4);
