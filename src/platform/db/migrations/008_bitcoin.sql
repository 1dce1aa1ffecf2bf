-- Bitcoin context: withdrawals paid over lightning.
CREATE TABLE withdrawals (
  id                 uuid        PRIMARY KEY,
  account_id         text        NOT NULL,
  customer_id        text        NOT NULL,
  amount_minor       bigint      NOT NULL CHECK (amount_minor > 0),
  invoice            text        NOT NULL,
  -- One withdrawal per invoice: the same invoice can never be paid out twice.
  payment_hash       text        NOT NULL UNIQUE,
  invoice_expires_at timestamptz NOT NULL,
  status             text        NOT NULL CHECK (status IN ('pending', 'accepted', 'paid', 'rejected', 'failed')),
  reason             text,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  version            integer     NOT NULL
);
CREATE INDEX withdrawals_by_customer ON withdrawals (customer_id, created_at DESC);
