-- Org e-seal keys (SM2) and the documents sealed with them (issue #5 §10).

CREATE TABLE seal_keys (
    id            BIGSERIAL PRIMARY KEY,
    org_id        BIGINT NOT NULL REFERENCES orgs(id),
    key_id        TEXT NOT NULL UNIQUE,
    public_pem    TEXT NOT NULL,
    -- SM4-GCM ciphertext of the private scalar under the deployment master key, base64.
    private_enc   TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    retired_at    BIGINT,
    retired_by    BIGINT
);
CREATE INDEX seal_keys_org ON seal_keys (org_id, retired_at);

CREATE TABLE sealed_documents (
    id            BIGSERIAL PRIMARY KEY,
    -- Unguessable public id: the documents carry personal data, so ids are not enumerable.
    public_id     TEXT NOT NULL UNIQUE,
    org_id        BIGINT NOT NULL REFERENCES orgs(id),
    key_id        TEXT NOT NULL REFERENCES seal_keys(key_id),
    kind          TEXT NOT NULL,
    object_type   TEXT NOT NULL,
    object_id     TEXT NOT NULL,
    -- The exact signed bytes: canonical JSON, UTF-8.
    body          TEXT NOT NULL,
    body_sm3      TEXT NOT NULL,
    -- DER signature, base64.
    signature     TEXT NOT NULL,
    sealed_at     BIGINT NOT NULL,
    sealed_by     BIGINT
);
CREATE INDEX sealed_documents_object ON sealed_documents (object_type, object_id);
