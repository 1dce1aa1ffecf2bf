-- A key is held by a lease that its running request renews, not for a fixed two
-- minutes: a request whose process died (or whose release failed because Postgres was
-- restarting) frees its key within one lease. The claimant id lets a request that lost
-- its claim neither store nor release over the request that took it over.
ALTER TABLE idempotency_keys
  ADD COLUMN claimant     uuid,
  ADD COLUMN leased_until timestamptz;
UPDATE idempotency_keys SET claimant = gen_random_uuid(), leased_until = created_at + interval '2 minutes'
 WHERE status_code IS NULL;
