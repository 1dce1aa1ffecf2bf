-- Lightning deposits (issue 12): invoices our node issued for a customer's SAT account.
-- The node's `invoice.paid` credits the account once per payment hash: the row moves
-- from 'open' to 'paid' with a guarded UPDATE (WHERE status = 'open') in the same
-- transaction as the ledger posting. 'expired' is not stored: it is an open row past
-- expires_at, and a late payment is still credited.
CREATE TABLE deposit_invoices (
  id             uuid        PRIMARY KEY,
  account_id     text        NOT NULL,
  customer_id    text        NOT NULL,
  -- One row per invoice of the node: a payment is matched to its account by this alone.
  payment_hash   text        NOT NULL UNIQUE CHECK (payment_hash ~ '^[0-9a-f]{64}$'),
  -- What the invoice asks for, in satoshis.
  amount_minor   bigint      NOT NULL CHECK (amount_minor > 0),
  -- What the node reported received; credited as is, even when it differs from amount_minor.
  received_minor bigint      CHECK (received_minor > 0),
  invoice        text        NOT NULL,
  expires_at     timestamptz NOT NULL,
  status         text        NOT NULL CHECK (status IN ('open', 'paid')),
  paid_at        timestamptz,
  -- The posting that credited the payment. Deferred: the posting is written later in the
  -- same transaction, and a paid row without its posting can never commit.
  posting_id     uuid        UNIQUE REFERENCES ledger_postings (id) DEFERRABLE INITIALLY DEFERRED,
  created_at     timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT deposit_invoices_paid_is_complete CHECK (
    (status = 'open' AND received_minor IS NULL AND paid_at IS NULL AND posting_id IS NULL)
    OR (status = 'paid' AND received_minor IS NOT NULL AND paid_at IS NOT NULL AND posting_id IS NOT NULL)
  )
);
CREATE INDEX deposit_invoices_by_customer ON deposit_invoices (customer_id, created_at DESC);
