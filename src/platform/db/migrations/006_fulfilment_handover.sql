-- Won auctions handed over to fulfilment, waiting for the fulfilment sagas to pick them up.
CREATE TABLE pending_fulfilments (
  auction_id  uuid        PRIMARY KEY,
  kind        text        NOT NULL CHECK (kind IN ('delivery', 'service')),
  buyer_id    text        NOT NULL,
  seller_id   text        NOT NULL,
  payment_id  uuid        NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  picked_up_at timestamptz
);
