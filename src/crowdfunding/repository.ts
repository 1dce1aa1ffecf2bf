import { ACCOUNT_CURRENCY, satoshis } from '../accounting/domain.ts';
import { insertPosting, postingsCtes } from '../accounting/repository.ts';
import type { Sql } from '../platform/db/pools.ts';
import type { AggregateWriter, UnitOfWork } from '../platform/db/unit-of-work.ts';
import { Campaign, type CampaignStatus, type Donation, type DonationStatus } from './domain.ts';

const sat = satoshis;

/**
 * The campaign row is the aggregate's versioned row; its donations and ledger postings
 * are written in the same transaction, only after the versioned write matched.
 */
const campaignWriter: AggregateWriter<Campaign> = {
  aggregateType: 'Campaign',
  async insert(sql, campaign) {
    const s = campaign.state;
    await sql.query(
      `INSERT INTO campaigns (id, owner_id, title, description, goal_minor, raised_minor, escrow_minor, status, ends_at, version)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        campaign.id,
        s.ownerId,
        s.title,
        s.description,
        s.goal.minorUnits.toString(),
        s.raised.minorUnits.toString(),
        s.escrow.minorUnits.toString(),
        s.status,
        s.endsAt,
        campaign.version,
      ],
    );
    await writeChanges(sql, campaign);
  },
  async update(sql, campaign, expectedVersion) {
    const s = campaign.state;
    const { newDonations, postings } = campaign.unsavedChanges();
    const written = await sql.query({
      name: 'crowdfunding.update-campaign',
      text: UPDATE_CAMPAIGN,
      values: [
        campaign.id,
        expectedVersion,
        s.raised.minorUnits.toString(),
        s.escrow.minorUnits.toString(),
        s.status,
        s.closedAt ?? null,
        campaign.version,
        ...donationColumns(newDonations),
        ...postingsCtes(postings, 12, 'updated').values,
      ],
    });
    if (written.rows[0].matched !== 1) return false;
    await writeDonationStatuses(sql, campaign);
    return true;
  },
};

/**
 * The versioned write, the new donations and the new postings in one statement: a
 * donation holds the campaign's row lock two round trips less than with three. Donations
 * and postings are inserted only if the versioned write matched (they join `updated`).
 * Donations whose status changed are written after it (writeDonationStatuses).
 */
const UPDATE_CAMPAIGN = `WITH updated AS (
    UPDATE campaigns SET raised_minor = $3, escrow_minor = $4, status = $5, closed_at = $6, version = $7
    WHERE id = $1 AND version = $2
    RETURNING id
  ), donated AS (
    INSERT INTO donations (id, campaign_id, donor_id, amount_minor, status)
    SELECT d.id, updated.id, d.donor_id, d.amount, d.status
    FROM updated, unnest($8::uuid[], $9::text[], $10::bigint[], $11::text[]) AS d(id, donor_id, amount, status)
  ), ${postingsCtes([], 12, 'updated').text}
  SELECT count(*)::int AS matched FROM updated`;

const donationColumns = (donations: Donation[]) => [
  donations.map((d) => d.id),
  donations.map((d) => d.donorId),
  donations.map((d) => d.amount.minorUnits.toString()),
  donations.map((d) => d.status),
];

async function writeChanges(sql: Sql, campaign: Campaign): Promise<void> {
  const { newDonations, postings } = campaign.unsavedChanges();
  if (newDonations.length > 0) {
    await sql.query(
      `INSERT INTO donations (id, campaign_id, donor_id, amount_minor, status)
       SELECT id, $1, donor_id, amount, status FROM unnest($2::uuid[], $3::text[], $4::bigint[], $5::text[]) AS d(id, donor_id, amount, status)`,
      [campaign.id, ...donationColumns(newDonations)],
    );
  }
  await writeDonationStatuses(sql, campaign);
  for (const posting of postings) await insertPosting(sql, posting);
}

/** Refunded donations, and every held one once the escrow is released. */
async function writeDonationStatuses(sql: Sql, campaign: Campaign): Promise<void> {
  const { changedDonations, releasedAll } = campaign.unsavedChanges();
  for (const d of changedDonations) {
    await sql.query(`UPDATE donations SET status = $2, updated_at = now() WHERE id = $1`, [d.id, d.status]);
  }
  if (releasedAll) {
    await sql.query(`UPDATE donations SET status = 'released', updated_at = now() WHERE campaign_id = $1 AND status = 'held'`, [
      campaign.id,
    ]);
  }
}

const CAMPAIGN_COLUMNS = `c.owner_id, c.title, c.description, c.goal_minor, c.raised_minor, c.escrow_minor, c.status, c.ends_at,
  c.closed_at, c.version`;

/**
 * Loads a campaign and locks its row for the rest of the transaction (`FOR UPDATE`).
 * The row lock is what orders a donation and the campaign's end: a donation that
 * committed first is in the outcome; one that waited for the end's lock then finds
 * the campaign closed. Without it, an end could decide on a `raised` that a donation
 * committing a moment later makes wrong. `donationId`: also load that donation, read
 * after the lock is held, so a refund sees what the previous lock holder wrote.
 */
export async function findCampaignForUpdate(
  uow: UnitOfWork,
  id: string,
  options: { donationId?: string } = {},
): Promise<Campaign | undefined> {
  const tracked = uow.tracked<Campaign>(campaignWriter.aggregateType, id);
  if (tracked) return tracked;
  const { rows } = await uow.sql.query(`SELECT ${CAMPAIGN_COLUMNS} FROM campaigns c WHERE c.id = $1 FOR UPDATE`, [id]);
  const row = rows[0];
  if (!row) return undefined;
  const donations: Donation[] = [];
  if (options.donationId) {
    const found = await uow.sql.query(`SELECT id, donor_id, amount_minor, status FROM donations WHERE id = $1 AND campaign_id = $2`, [
      options.donationId,
      id,
    ]);
    donations.push(...found.rows.map(toDonation));
  }
  return uow.track(restore(id, row, donations), campaignWriter);
}

/**
 * The lock of `findCampaignForUpdate` for a new donation, with the donation (if it was
 * made already: a rerun) read in the same round trip, because every round trip under a
 * hot campaign's lock is one every other donor waits for. The join reads donations as of
 * the statement's start, before the lock was granted, so it can miss a rerun of the same
 * donation that the previous lock holder committed meanwhile. Taking the money twice is
 * still impossible: that rerun moved the same donor's account, so this one's versioned
 * write of the account loses the race and the use case is retried (and finds it); were
 * the account's write ever to pass, the donation's primary key would refuse the second
 * insert and roll everything back.
 */
export async function findCampaignForDonation(uow: UnitOfWork, id: string, donationId: string): Promise<Campaign | undefined> {
  const tracked = uow.tracked<Campaign>(campaignWriter.aggregateType, id);
  if (tracked) return tracked;
  const { rows } = await uow.sql.query(
    `SELECT ${CAMPAIGN_COLUMNS}, d.id AS donation_id, d.donor_id, d.amount_minor, d.status AS donation_status
     FROM campaigns c LEFT JOIN donations d ON d.id = $2 AND d.campaign_id = c.id
     WHERE c.id = $1 FOR UPDATE OF c`,
    [id, donationId],
  );
  const row = rows[0];
  if (!row) return undefined;
  const donations = row.donation_id ? [toDonation({ id: row.donation_id, ...row, status: row.donation_status })] : [];
  return uow.track(restore(id, row, donations), campaignWriter);
}

function restore(id: string, row: Record<string, any>, donations: Donation[]): Campaign {
  return Campaign.restore(
    id,
    row.version,
    {
      ownerId: row.owner_id,
      title: row.title,
      description: row.description,
      goal: sat(row.goal_minor),
      raised: sat(row.raised_minor),
      escrow: sat(row.escrow_minor),
      status: row.status as CampaignStatus,
      endsAt: row.ends_at,
      closedAt: row.closed_at ?? undefined,
    },
    donations,
  );
}

const toDonation = (d: Record<string, any>): Donation => ({
  id: d.id,
  donorId: d.donor_id,
  amount: sat(d.amount_minor),
  status: d.status as DonationStatus,
});

export function addCampaign(uow: UnitOfWork, campaign: Campaign): void {
  uow.add(campaign, campaignWriter);
}

/** The donations still in escrow, oldest first, a page at a time (refunds go through them in order). */
export async function heldDonationIds(sql: Sql, campaignId: string, limit: number): Promise<string[]> {
  const { rows } = await sql.query(`SELECT id FROM donations WHERE campaign_id = $1 AND status = 'held' ORDER BY created_at, id LIMIT $2`, [
    campaignId,
    limit,
  ]);
  return rows.map((r) => r.id as string);
}
