-- The order after payment (issue 13): the seller answers a paid order, the buyer may
-- cancel, confirm or return it, vouchers are cancelled or expire, and the seller is paid.

-- A delivery booked before this change was accepted by that booking (the old saga booked
-- the carrier at once): it keeps its place in the new order of states.
UPDATE delivery_transactions SET status = 'accepted' WHERE status = 'pending' AND tracking_number IS NOT NULL;
-- Transactions made before this change are driven by the sagas of that time, which know
-- nothing of the new moves: they keep their old rules (started_before_orders).
ALTER TABLE delivery_transactions ADD COLUMN started_before_orders boolean NOT NULL DEFAULT true;
ALTER TABLE delivery_transactions ALTER COLUMN started_before_orders SET DEFAULT false;
ALTER TABLE service_transactions ADD COLUMN started_before_orders boolean NOT NULL DEFAULT true;
ALTER TABLE service_transactions ALTER COLUMN started_before_orders SET DEFAULT false;
ALTER TABLE delivery_transactions
  ADD COLUMN return_tracking_number text,
  -- Why the seller rejected it, or why the buyer sends it back: shown to both parties.
  ADD COLUMN reason text,
  ADD COLUMN reminder_sent boolean NOT NULL DEFAULT false,
  ADD CONSTRAINT delivery_transactions_status_check CHECK (status IN (
    'pending', 'accepted', 'shipped', 'delivered', 'confirmed',
    'return-requested', 'returned', 'rejected', 'cancelled', 'lost'));
CREATE INDEX delivery_transactions_by_seller ON delivery_transactions (seller_id);

ALTER TABLE service_transactions
  ADD CONSTRAINT service_transactions_status_check CHECK (status IN ('issued', 'redeemed', 'cancelled', 'expired'));
CREATE INDEX service_transactions_by_seller ON service_transactions (seller_id);

-- A seller's payout for one sold auction: at most one, ever (the UNIQUE auction_id), so a
-- retried step finds the payout it scheduled. gross = fee + net, in the auction's currency.
CREATE TABLE payouts (
  id          uuid        PRIMARY KEY,
  auction_id  uuid        NOT NULL UNIQUE,
  seller_id   text        NOT NULL,
  title       text        NOT NULL,
  currency    text        NOT NULL,
  gross_minor bigint      NOT NULL CHECK (gross_minor >= 0),
  fee_minor   bigint      NOT NULL CHECK (fee_minor >= 0),
  net_minor   bigint      NOT NULL CHECK (net_minor >= 0),
  status      text        NOT NULL CHECK (status IN ('scheduled', 'paid')),
  payable_at  timestamptz NOT NULL,
  paid_at     timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now(),
  version     integer     NOT NULL,
  CONSTRAINT payouts_add_up CHECK (gross_minor = fee_minor + net_minor)
);
CREATE INDEX payouts_by_seller ON payouts (seller_id, created_at DESC);

-- The ledger now holds card money too (USD, EUR): a sale books what the buyer paid into the
-- seller's earnings and the platform's fee account; a payout pays the earnings out.
ALTER TABLE ledger_postings DROP CONSTRAINT ledger_postings_kind_check;
ALTER TABLE ledger_postings ADD CONSTRAINT ledger_postings_kind_check
  CHECK (kind IN ('deposit', 'withdrawal', 'transfer', 'donation', 'donation-refund', 'escrow-release', 'sale', 'payout'));
