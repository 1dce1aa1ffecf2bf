-- Auctions context. Money is stored as minor units (bigint) plus a currency code.
CREATE TABLE auctions (
  id                   uuid        PRIMARY KEY,
  seller_id            text        NOT NULL,
  title                text        NOT NULL,
  currency             text        NOT NULL,
  starting_price_minor bigint      NOT NULL CHECK (starting_price_minor >= 0),
  current_price_minor  bigint      NOT NULL CHECK (current_price_minor >= 0),
  leader_id            text,
  bid_count            integer     NOT NULL DEFAULT 0,
  ends_at              timestamptz NOT NULL,
  fulfilment           text        NOT NULL CHECK (fulfilment IN ('delivery', 'service')),
  status               text        NOT NULL,
  winner_id            text,
  payment_id           uuid,
  delivery_id          uuid,
  service_id           uuid,
  created_at           timestamptz NOT NULL DEFAULT now(),
  version              integer     NOT NULL
);
CREATE INDEX auctions_open_by_end ON auctions (ends_at) WHERE status = 'open';

CREATE TABLE bids (
  id           uuid        PRIMARY KEY,
  auction_id   uuid        NOT NULL REFERENCES auctions (id),
  bidder_id    text        NOT NULL,
  amount_minor bigint      NOT NULL,
  placed_at    timestamptz NOT NULL
);
CREATE INDEX bids_by_auction ON bids (auction_id, amount_minor DESC);
CREATE INDEX bids_by_bidder ON bids (bidder_id, placed_at DESC);
