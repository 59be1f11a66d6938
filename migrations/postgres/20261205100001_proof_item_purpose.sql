-- Real county lists (SPEC "Real lists"): what the proof is used for (证明用途) and why
-- commitment cannot replace it (不能实行告知承诺及保留原因) are kept with the item.
ALTER TABLE proof_items ADD COLUMN purpose TEXT NOT NULL DEFAULT '';
ALTER TABLE proof_items ADD COLUMN no_commitment_reason TEXT NOT NULL DEFAULT '';
