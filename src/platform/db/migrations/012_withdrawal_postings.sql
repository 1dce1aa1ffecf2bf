-- One vocabulary (issue 11): "payout" is kept for a seller's earnings; what leaves a SAT
-- account over lightning is a withdrawal, and its posting is named so.
ALTER TABLE ledger_postings DROP CONSTRAINT ledger_postings_kind_check;
UPDATE ledger_postings SET kind = 'withdrawal' WHERE kind = 'payout';
ALTER TABLE ledger_postings ADD CONSTRAINT ledger_postings_kind_check CHECK (kind IN ('deposit', 'withdrawal'));
