-- Complaint figures per single dimension (issue #20 §5: the figures page over 1,000,000
-- complaints answers from aggregates, p99 ≤ 200 ms). `complaint_figures` keeps one row per
-- combination of month, receiver, channel, ground, unit and proof — hundreds of thousands of
-- rows at province scale, summed on every request; this table keeps one row per month,
-- dimension and value (a year of one dimension is at most 12 × its values), maintained in the
-- same statement batch as `complaint_figures`.
CREATE TABLE complaint_rollup (
    dim          TEXT NOT NULL,
    month        TEXT NOT NULL,
    key          TEXT NOT NULL,
    received     BIGINT NOT NULL,
    accepted     BIGINT NOT NULL,
    on_time      BIGINT NOT NULL,
    upheld       BIGINT NOT NULL,
    answered     BIGINT NOT NULL,
    satisfied    BIGINT NOT NULL,
    unsatisfied  BIGINT NOT NULL,
    PRIMARY KEY (dim, month, key)
);
INSERT INTO complaint_rollup (dim, month, key, received, accepted, on_time, upheld, answered, satisfied, unsatisfied)
SELECT 'receiver', month, receiver, SUM(received), SUM(accepted), SUM(on_time), SUM(upheld), SUM(answered), SUM(satisfied), SUM(unsatisfied)
FROM complaint_figures GROUP BY month, receiver;
INSERT INTO complaint_rollup (dim, month, key, received, accepted, on_time, upheld, answered, satisfied, unsatisfied)
SELECT 'channel', month, channel, SUM(received), SUM(accepted), SUM(on_time), SUM(upheld), SUM(answered), SUM(satisfied), SUM(unsatisfied)
FROM complaint_figures GROUP BY month, channel;
INSERT INTO complaint_rollup (dim, month, key, received, accepted, on_time, upheld, answered, satisfied, unsatisfied)
SELECT 'ground', month, ground, SUM(received), SUM(accepted), SUM(on_time), SUM(upheld), SUM(answered), SUM(satisfied), SUM(unsatisfied)
FROM complaint_figures GROUP BY month, ground;
INSERT INTO complaint_rollup (dim, month, key, received, accepted, on_time, upheld, answered, satisfied, unsatisfied)
SELECT 'agency_org_id', month, CAST(agency_org_id AS TEXT), SUM(received), SUM(accepted), SUM(on_time), SUM(upheld), SUM(answered), SUM(satisfied), SUM(unsatisfied)
FROM complaint_figures GROUP BY month, agency_org_id;
INSERT INTO complaint_rollup (dim, month, key, received, accepted, on_time, upheld, answered, satisfied, unsatisfied)
SELECT 'proof_item_id', month, CAST(proof_item_id AS TEXT), SUM(received), SUM(accepted), SUM(on_time), SUM(upheld), SUM(answered), SUM(satisfied), SUM(unsatisfied)
FROM complaint_figures GROUP BY month, proof_item_id;
-- And per year (dimension `year:<name>`, month = the year): a year of one dimension is one
-- row per value.
INSERT INTO complaint_rollup (dim, month, key, received, accepted, on_time, upheld, answered, satisfied, unsatisfied)
SELECT 'year:' || dim, SUBSTR(month, 1, 4), key, SUM(received), SUM(accepted), SUM(on_time), SUM(upheld), SUM(answered), SUM(satisfied), SUM(unsatisfied)
FROM complaint_rollup GROUP BY dim, SUBSTR(month, 1, 4), key;
