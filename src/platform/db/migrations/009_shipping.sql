-- Shipping context: two kinds of business transaction, in two tables (seed 000).
CREATE TABLE delivery_transactions (
  id               uuid        PRIMARY KEY,
  auction_id       uuid        NOT NULL UNIQUE,
  buyer_id         text        NOT NULL,
  seller_id        text        NOT NULL,
  payment_id       uuid        NOT NULL,
  title            text        NOT NULL,
  address          text        NOT NULL,
  status           text        NOT NULL,
  tracking_number  text,
  missed_deadlines integer     NOT NULL DEFAULT 0,
  created_at       timestamptz NOT NULL DEFAULT now(),
  version          integer     NOT NULL
);
CREATE INDEX delivery_transactions_by_buyer ON delivery_transactions (buyer_id);

CREATE TABLE service_transactions (
  id          uuid        PRIMARY KEY,
  auction_id  uuid        NOT NULL UNIQUE,
  buyer_id    text        NOT NULL,
  seller_id   text        NOT NULL,
  payment_id  uuid        NOT NULL,
  title       text        NOT NULL,
  code        text        NOT NULL UNIQUE,
  status      text        NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  version     integer     NOT NULL
);
CREATE INDEX service_transactions_by_buyer ON service_transactions (buyer_id);

-- Hand-overs recorded before the fulfilment sagas existed get the id their saga runs under.
ALTER TABLE pending_fulfilments ADD COLUMN fulfilment_id uuid;
