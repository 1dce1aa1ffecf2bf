-- Platform tables every context relies on: the event store, the outbox, the inbox
-- and stored idempotent responses.

-- The event store (seed 000). global_seq gives a total order over all events;
-- (aggregate_id, aggregate_version) is unique, which both refuses a second writer
-- of the same version and serves per-aggregate reads in version order.
CREATE TABLE event_store (
  global_seq        bigserial   PRIMARY KEY,
  event_id          uuid        NOT NULL UNIQUE,
  aggregate_type    text        NOT NULL,
  aggregate_id      text        NOT NULL,
  aggregate_version integer     NOT NULL CHECK (aggregate_version > 0),
  event_type        text        NOT NULL,
  payload           jsonb       NOT NULL,
  created_at        timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT event_store_aggregate_version_unique UNIQUE (aggregate_id, aggregate_version)
);
CREATE INDEX event_store_by_type ON event_store (aggregate_type, aggregate_id, aggregate_version);

-- The transactional outbox (seed 003): written in the same transaction as the
-- state change, relayed after commit, at least once.
CREATE TABLE outbox (
  id            bigserial   PRIMARY KEY,
  message_id    uuid        NOT NULL UNIQUE,
  message_type  text        NOT NULL,
  payload       jsonb       NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  available_at  timestamptz NOT NULL DEFAULT now(),
  attempts      integer     NOT NULL DEFAULT 0,
  last_error    text,
  dispatched_at timestamptz
);
CREATE INDEX outbox_pending ON outbox (available_at, id) WHERE dispatched_at IS NULL;

-- The inbox: a consumer records each message id it handled in the same transaction
-- as its effect, so a redelivered message is recognised and skipped.
CREATE TABLE inbox (
  consumer     text        NOT NULL,
  message_id   text        NOT NULL,
  processed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer, message_id)
);

-- Responses to requests that carried an Idempotency-Key, replayed on a repeat.
CREATE TABLE idempotency_keys (
  scope         text        NOT NULL,
  key           text        NOT NULL,
  request_hash  text        NOT NULL,
  status_code   integer,
  content_type  text,
  response_body text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  completed_at  timestamptz,
  PRIMARY KEY (scope, key)
);
