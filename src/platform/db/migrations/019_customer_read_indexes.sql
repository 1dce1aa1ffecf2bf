-- Two reads of the customer dashboard had no index to use (bench/scale.ts, EXPLAIN at
-- 100k auctions): the won auctions (winner_id, newest first) were a sequential scan of
-- every auction, 84 ms, and the payments a seller is owed filtered on payee_id the same
-- way. With these, both are index scans whatever the table's size.
CREATE INDEX auctions_by_winner ON auctions (winner_id, ends_at DESC) WHERE winner_id IS NOT NULL;
CREATE INDEX payments_by_payee ON payments (payee_id);
