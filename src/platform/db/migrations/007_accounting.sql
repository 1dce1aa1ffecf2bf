-- Accounting context: satoshi accounts over a double-entry ledger.
--
-- An account's id is its owner's customer id (one SAT account per customer, opened by
-- the first deposit). `balance_minor` and `reserved_minor` are the ledger's sums kept on
-- a versioned row for fast reads; the ledger itself is the truth.
CREATE TABLE accounts (
  id             text        PRIMARY KEY,
  owner_id       text        NOT NULL,
  currency       text        NOT NULL CHECK (currency = 'SAT'),
  balance_minor  bigint      NOT NULL CHECK (balance_minor >= 0),
  reserved_minor bigint      NOT NULL CHECK (reserved_minor >= 0),
  created_at     timestamptz NOT NULL DEFAULT now(),
  version        integer     NOT NULL,
  -- available = balance - reserved is never negative; the domain refuses it first,
  -- this refuses it again should any code path forget.
  CONSTRAINT accounts_available_not_negative CHECK (reserved_minor <= balance_minor)
);

-- Funds held for one withdrawal (the reservation's id is the withdrawal's id), so
-- reserve, settle and release are idempotent: a repeat finds the reservation's status.
CREATE TABLE reservations (
  id           text        PRIMARY KEY,
  account_id   text        NOT NULL REFERENCES accounts (id),
  amount_minor bigint      NOT NULL CHECK (amount_minor > 0),
  status       text        NOT NULL CHECK (status IN ('held', 'settled', 'released', 'refused')),
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reservations_by_account ON reservations (account_id);

-- The ledger: a posting is one business fact (a deposit, a payout), made of entries
-- that sum to zero. Entries are signed minor units: positive credits the account (the
-- platform owes the customer more), negative debits it. System accounts such as
-- `external:lightning` have no row in `accounts`; their balance may be negative.
CREATE TABLE ledger_postings (
  id         uuid        PRIMARY KEY,
  kind       text        NOT NULL CHECK (kind IN ('deposit', 'payout')),
  -- What the posting is for: the deposit's own id, or the withdrawal paid out.
  reference  text        NOT NULL,
  currency   text        NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- One payout per withdrawal, ever: settling twice is refused by the database too.
  CONSTRAINT ledger_postings_once UNIQUE (kind, reference)
);

CREATE TABLE ledger_entries (
  posting_id   uuid   NOT NULL REFERENCES ledger_postings (id),
  account_id   text   NOT NULL,
  amount_minor bigint NOT NULL CHECK (amount_minor <> 0),
  PRIMARY KEY (posting_id, account_id)
);
CREATE INDEX ledger_entries_by_account ON ledger_entries (account_id);

-- Double entry, enforced at commit: every posting touched by the transaction must
-- balance to zero (deferred, so a posting's entries can be inserted one by one).
CREATE FUNCTION ledger_posting_balances() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  total numeric;
BEGIN
  SELECT COALESCE(SUM(amount_minor), 0) INTO total FROM ledger_entries WHERE posting_id = NEW.posting_id;
  IF total <> 0 THEN
    RAISE EXCEPTION 'ledger posting % does not balance (sum %)', NEW.posting_id, total USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER ledger_entries_balance
  AFTER INSERT OR UPDATE ON ledger_entries
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION ledger_posting_balances();
