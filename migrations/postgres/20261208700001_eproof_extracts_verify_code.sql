-- The verify code of an e-proof is its extract without a pull (MIN(code) WHERE eproof_id = ?
-- AND pull_id IS NULL, read with every e-proof): one index seek, instead of a walk over every
-- extract of the document, which grows with each pull of it (issue #18 §6 benchmark).
CREATE INDEX eproof_extracts_verify ON eproof_extracts (eproof_id, pull_id, code);
