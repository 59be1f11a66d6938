-- Identity proofing and login throttling (issue #16 items 1 and 2).
-- attempt_counters: one row per throttled key (an SM3 hash of "kind:value", so no resident
-- ID or address is kept in clear) and fixed window; incremented and read in one statement
-- before any secret is checked, so parallel requests cannot all slip under the limit.
CREATE TABLE attempt_counters (
    key          TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    count        BIGINT NOT NULL,
    PRIMARY KEY (key, window_start)
);
CREATE INDEX attempt_counters_window ON attempt_counters(window_start);

-- One-time codes: portal activation (counter or SMS) and a staff login's second factor
-- (issued by a unit admin). Only a salted hash is stored; short-lived, single use,
-- limited attempts.
CREATE TABLE one_time_codes (
    id           BIGSERIAL PRIMARY KEY,
    purpose      TEXT NOT NULL,
    principal_id BIGINT NOT NULL,
    code_hash    TEXT NOT NULL,
    channel      TEXT NOT NULL,
    issued_by    BIGINT,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    attempts     BIGINT NOT NULL DEFAULT 0,
    used_at      BIGINT
);
CREATE INDEX one_time_codes_principal ON one_time_codes(purpose, principal_id, id);

-- OpenID Connect sign-ins under way: state (hashed), PKCE verifier and nonce, until the
-- provider redirects back (single use, minutes).
CREATE TABLE oidc_logins (
    state_hash    TEXT PRIMARY KEY,
    pkce_verifier TEXT NOT NULL,
    nonce         TEXT NOT NULL,
    expires_at    BIGINT NOT NULL
);

-- Replaced by attempt_counters.
DROP TABLE login_failures;
