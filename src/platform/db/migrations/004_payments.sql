-- Payments context: one payment per won auction.
CREATE TABLE payments (
  id                 uuid        PRIMARY KEY,
  auction_id         uuid        NOT NULL UNIQUE,
  payer_id           text        NOT NULL,
  payee_id           text        NOT NULL,
  currency           text        NOT NULL,
  amount_minor       bigint      NOT NULL CHECK (amount_minor >= 0),
  title              text        NOT NULL,
  status             text        NOT NULL,
  attempts           integer     NOT NULL DEFAULT 0,
  provider_charge_id text,
  created_at         timestamptz NOT NULL DEFAULT now(),
  version            integer     NOT NULL
);
CREATE INDEX payments_by_payer ON payments (payer_id);
CREATE INDEX payments_by_provider_charge ON payments (provider_charge_id);
