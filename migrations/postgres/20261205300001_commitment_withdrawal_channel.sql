-- Withdrawal is the applicant's act (SPEC R4.6): where it was made, and at the counter the
-- clerk who recorded the applicant's confirmation, as for signing.
ALTER TABLE commitments ADD COLUMN withdraw_channel TEXT CHECK (withdraw_channel IN ('portal', 'counter'));
ALTER TABLE commitments ADD COLUMN withdraw_confirmed_by TEXT;
