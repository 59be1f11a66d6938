-- Case e-archives (SPEC R6.2, P 三(三); issue #17 §3): one sealed zip package per decided
-- case, built by the durable job 'case.archive' enqueued in the deciding transaction. The
-- package is kept whole with its SM3 digest; the manifest's digest and the seal key that
-- signed it are kept beside it for lookups without opening the zip.
CREATE TABLE case_archives (
    id            BIGSERIAL PRIMARY KEY,
    case_id       BIGINT NOT NULL UNIQUE REFERENCES cases(id),
    org_id        BIGINT NOT NULL REFERENCES orgs(id),
    archive_no    TEXT NOT NULL UNIQUE,
    sm3           TEXT NOT NULL,
    size          BIGINT NOT NULL,
    manifest_sm3  TEXT NOT NULL,
    key_id        TEXT NOT NULL,
    files         BIGINT NOT NULL,
    content       BYTEA NOT NULL,
    created_at    BIGINT NOT NULL
);
CREATE INDEX case_archives_org ON case_archives (org_id, created_at);
-- A case's verification replies are gathered into its archive by case.
CREATE INDEX verifications_by_case ON verifications (case_id);
