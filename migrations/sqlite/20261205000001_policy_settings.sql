-- Trial-period settings (SPEC "Trial rules"): every limit, ground and threshold is a versioned
-- setting with an effective date. A missing key means the seed's value, declared in code.
CREATE TABLE policy_settings (
    key            TEXT NOT NULL,
    version        BIGINT NOT NULL,
    value          TEXT NOT NULL,
    effective_from TEXT NOT NULL,
    note           TEXT NOT NULL DEFAULT '',
    created_by     TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    PRIMARY KEY (key, version)
);
