-- Transfers between SAT accounts and crowdfunding campaigns (issue 12).
--
-- New posting kinds: a transfer between two customers; a donation into a campaign's
-- escrow (`escrow:campaign:<id>`, a system account without an `accounts` row); its
-- refund; and the escrow released to the campaign's owner. `UNIQUE (kind, reference)`
-- keeps each of them once: one refund per donation, one release per campaign.
ALTER TABLE ledger_postings DROP CONSTRAINT ledger_postings_kind_check;
ALTER TABLE ledger_postings ADD CONSTRAINT ledger_postings_kind_check
  CHECK (kind IN ('deposit', 'withdrawal', 'transfer', 'donation', 'donation-refund', 'escrow-release'));

-- A campaign is a versioned aggregate row. `raised_minor` is what was ever donated;
-- `escrow_minor` is what its escrow holds now (donations neither refunded nor released).
CREATE TABLE campaigns (
  id           uuid        PRIMARY KEY,
  owner_id     text        NOT NULL,
  title        text        NOT NULL,
  description  text        NOT NULL DEFAULT '',
  goal_minor   bigint      NOT NULL CHECK (goal_minor > 0),
  raised_minor bigint      NOT NULL DEFAULT 0 CHECK (raised_minor >= 0),
  escrow_minor bigint      NOT NULL DEFAULT 0 CHECK (escrow_minor >= 0 AND escrow_minor <= raised_minor),
  status       text        NOT NULL CHECK (status IN ('open', 'succeeded', 'failed', 'cancelled')),
  ends_at      timestamptz NOT NULL,
  closed_at    timestamptz,
  created_at   timestamptz NOT NULL DEFAULT now(),
  version      integer     NOT NULL
);
-- The list of open campaigns, soonest ending first, paged by (ends_at, id).
CREATE INDEX campaigns_open_by_end ON campaigns (ends_at, id) WHERE status = 'open';
CREATE INDEX campaigns_by_owner ON campaigns (owner_id);

-- Each donation, written with its campaign's versioned row: `held` in escrow, then
-- `refunded` to its donor or `released` to the owner, once.
CREATE TABLE donations (
  id           uuid        PRIMARY KEY,
  campaign_id  uuid        NOT NULL REFERENCES campaigns (id),
  donor_id     text        NOT NULL,
  amount_minor bigint      NOT NULL CHECK (amount_minor > 0),
  status       text        NOT NULL CHECK (status IN ('held', 'refunded', 'released')),
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX donations_by_campaign ON donations (campaign_id, status);
CREATE INDEX donations_by_donor ON donations (donor_id, created_at);
