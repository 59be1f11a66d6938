-- An answered or returned verification finds the case proof it resolves (SPEC R6.1):
-- without this index every answer scanned the whole of case_proofs.
CREATE INDEX case_proofs_verification ON case_proofs (verification_id);
