-- Issue #22 §2: the synonym table as pairs. One everyday word may lead to several of the
-- list's words (户口本 → 户口簿, 户籍证明), so a row is one (term, canonical) pair; the same
-- pair twice is refused. `search_synonym_revision` grows with every change, so each instance
-- rebuilds the search index's synonyms when it sees a new revision (as it does for a new
-- published list version).

ALTER TABLE search_synonyms DROP CONSTRAINT search_synonyms_pkey;
ALTER TABLE search_synonyms ADD PRIMARY KEY (term, canonical);

CREATE TABLE search_synonym_revision (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    revision  BIGINT NOT NULL
);
INSERT INTO search_synonym_revision (id, revision) VALUES (1, 0);
