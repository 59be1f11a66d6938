-- Proof catalogue (SPEC R1, R2): service items, proof items with every R1.2 field,
-- replacement methods, implementation lists per level and region, legal reviews,
-- exemption lists (county and each town) and their immutable published versions.
-- Instants are BIGINT milliseconds since the Unix epoch (UTC); dates are TEXT YYYY-MM-DD.

CREATE TABLE service_items (
    id          BIGSERIAL PRIMARY KEY,
    org_id      BIGINT NOT NULL REFERENCES orgs(id),
    name        TEXT NOT NULL,
    code        TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL,
    level       TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    version     BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX service_items_org ON service_items(org_id);

-- 证明事项实施清单: one per level and region (R1.1).
CREATE TABLE implementation_lists (
    id          BIGSERIAL PRIMARY KEY,
    level       TEXT NOT NULL,
    region_code TEXT NOT NULL REFERENCES regions(code),
    created_at  BIGINT NOT NULL,
    UNIQUE (level, region_code)
);

CREATE TABLE proof_items (
    id                     BIGSERIAL PRIMARY KEY,
    list_id                BIGINT NOT NULL REFERENCES implementation_lists(id),
    owner_org_id           BIGINT NOT NULL REFERENCES orgs(id),
    name                   TEXT NOT NULL,
    disposition            TEXT NOT NULL,
    issuer_can_verify      BOOLEAN NOT NULL DEFAULT TRUE,
    correctable_afterwards BOOLEAN NOT NULL DEFAULT FALSE,
    risk_domains           TEXT NOT NULL DEFAULT '',
    remarks                TEXT NOT NULL DEFAULT '',
    stage                  TEXT NOT NULL,
    created_by             BIGINT,
    created_at             BIGINT NOT NULL,
    updated_at             BIGINT NOT NULL,
    version                BIGINT NOT NULL DEFAULT 1,
    UNIQUE (list_id, owner_org_id, name)
);
CREATE INDEX proof_items_stage ON proof_items(stage);
CREATE INDEX proof_items_owner ON proof_items(owner_org_id);

CREATE TABLE proof_item_bases (
    id            BIGSERIAL PRIMARY KEY,
    proof_item_id BIGINT NOT NULL REFERENCES proof_items(id),
    position      BIGINT NOT NULL,
    kind          TEXT NOT NULL,
    law           TEXT NOT NULL,
    article       TEXT NOT NULL,
    text          TEXT NOT NULL
);
CREATE INDEX proof_item_bases_item ON proof_item_bases(proof_item_id);

CREATE TABLE proof_item_issuers (
    proof_item_id BIGINT NOT NULL REFERENCES proof_items(id),
    org_id        BIGINT NOT NULL REFERENCES orgs(id),
    PRIMARY KEY (proof_item_id, org_id)
);

CREATE TABLE proof_item_requesters (
    proof_item_id BIGINT NOT NULL REFERENCES proof_items(id),
    org_id        BIGINT NOT NULL REFERENCES orgs(id),
    PRIMARY KEY (proof_item_id, org_id)
);

CREATE TABLE proof_item_services (
    proof_item_id   BIGINT NOT NULL REFERENCES proof_items(id),
    service_item_id BIGINT NOT NULL REFERENCES service_items(id),
    PRIMARY KEY (proof_item_id, service_item_id)
);
CREATE INDEX proof_item_services_service ON proof_item_services(service_item_id);

-- 替代取消方式 with the text a citizen reads and, for verification, the deadline class.
CREATE TABLE replacements (
    id              BIGSERIAL PRIMARY KEY,
    proof_item_id   BIGINT NOT NULL REFERENCES proof_items(id),
    position        BIGINT NOT NULL,
    method          TEXT NOT NULL,
    citizen_text    TEXT NOT NULL,
    guide           TEXT NOT NULL,
    deadline_class  TEXT,
    deadline_period TEXT
);
CREATE INDEX replacements_item ON replacements(proof_item_id);

-- 合法性审查 (R1.4): who, when, verdict, remarks, per item; every row kept.
CREATE TABLE legal_reviews (
    id            BIGSERIAL PRIMARY KEY,
    proof_item_id BIGINT NOT NULL REFERENCES proof_items(id),
    item_version  BIGINT NOT NULL,
    reviewer_id   BIGINT,
    reviewer_name TEXT NOT NULL,
    verdict       TEXT NOT NULL,
    remarks       TEXT NOT NULL,
    at            BIGINT NOT NULL
);
CREATE INDEX legal_reviews_item ON legal_reviews(proof_item_id);

-- 证明事项免提交清单: the county's and each town's (R2.1).
CREATE TABLE exemption_lists (
    id          BIGSERIAL PRIMARY KEY,
    level       TEXT NOT NULL,
    region_code TEXT NOT NULL UNIQUE REFERENCES regions(code),
    title       TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE list_versions (
    id              BIGSERIAL PRIMARY KEY,
    list_id         BIGINT NOT NULL REFERENCES exemption_lists(id),
    number          BIGINT,
    stage           TEXT NOT NULL,
    item_count      BIGINT NOT NULL,
    note            TEXT NOT NULL DEFAULT '',
    prepared_by     TEXT NOT NULL,
    prepared_at     BIGINT NOT NULL,
    approval_doc_no TEXT,
    approver_name   TEXT,
    approved_at     BIGINT,
    effective_date  TEXT,
    published_by    TEXT,
    published_at    BIGINT,
    UNIQUE (list_id, number)
);
CREATE INDEX list_versions_stage ON list_versions(stage);

-- Each item as published: JSON of the whole item, so old versions read exactly as they were.
CREATE TABLE list_version_items (
    version_id    BIGINT NOT NULL REFERENCES list_versions(id),
    proof_item_id BIGINT NOT NULL,
    position      BIGINT NOT NULL,
    name          TEXT NOT NULL,
    snapshot      TEXT NOT NULL,
    PRIMARY KEY (version_id, proof_item_id)
);

CREATE FUNCTION list_versions_published_is_immutable() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION '清单版本不可删除';
    END IF;
    IF OLD.stage = 'published' THEN
        RAISE EXCEPTION '已发布的清单版本不可更改';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER list_versions_published_no_change BEFORE UPDATE OR DELETE ON list_versions
    FOR EACH ROW EXECUTE FUNCTION list_versions_published_is_immutable();

CREATE FUNCTION list_version_items_are_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '清单版本的条目不可更改';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER list_version_items_no_change BEFORE UPDATE OR DELETE ON list_version_items
    FOR EACH ROW EXECUTE FUNCTION list_version_items_are_immutable();
