-- Where each recorded fact came from: the request or saga it belongs to (correlation)
-- and the message that caused it (causation). Nullable, without a default, so the ALTERs
-- only touch the catalogue (no table rewrite under the hot writers); rows written before
-- this change keep NULL, which the events endpoints show as such rather than guessing.
ALTER TABLE event_store
  ADD COLUMN correlation_id text,
  ADD COLUMN causation_id text;

ALTER TABLE outbox
  ADD COLUMN correlation_id text,
  ADD COLUMN causation_id text;
