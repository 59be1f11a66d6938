-- Proxy agents' scans (干部代办, R5.10) hold the applicant's personal data: stored SM4-GCM
-- encrypted under the rotated data key like persons' fields (issue #16 item 9). The column
-- names the key version a row is under; 0 is a scan written before, still in clear, which
-- the start-up upgrade encrypts (applicants/blobs.rs).
ALTER TABLE case_proof_scans ADD COLUMN content_key_version BIGINT NOT NULL DEFAULT 0;
