-- The relay claims pending messages in id order. outbox_pending is ordered by
-- (available_at, id), so that claim walked the primary key past every row already
-- dispatched: with a large backlog, each claim read all the rows the ones before it had
-- marked, and the drain slowed as it went (bench/relay.ts). This index holds the pending
-- rows alone, in the claim's order; a row leaves it when it is marked dispatched.
CREATE INDEX outbox_pending_by_id ON outbox (id) WHERE dispatched_at IS NULL;
