import { ACCOUNT_CURRENCY } from '../accounting/domain.ts';
import { insertPosting, postingsCtes } from '../accounting/repository.ts';
import { Money } from '../kernel/money.ts';
import type { Sql } from '../platform/db/pools.ts';
import type { AggregateWriter, UnitOfWork } from '../platform/db/unit-of-work.ts';
import { Campaign, type CampaignStatus, type Donation, type DonationStatus } from './domain.ts';

const sat = (minor: string | bigint) => Money.fromMinorUnits(BigInt(minor), ACCOUNT_CURRENCY);

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
    const { rows } = await sql.query({
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
    if (rows[0].matched !== 1) return false;
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

/**
 * Loads a campaign and locks its row for the rest of the transaction (`FOR UPDATE`).
 * The row lock is what orders a donation and the campaign's end: a donation that
 * committed first is in the outcome; one that waited for the end's lock then finds
 * the campaign closed. Without it, an end could decide on a `raised` that a donation
 * committing a moment later makes wrong. `donationId`: also load that donation.
 */
export async function findCampaignForUpdate(
  uow: UnitOfWork,
  id: string,
  options: { donationId?: string } = {},
): Promise<Campaign | undefined> {
  const tracked = uow.tracked<Campaign>(campaignWriter.aggregateType, id);
  if (tracked) return tracked;
  const { rows } = await uow.sql.query(
    `SELECT owner_id, title, description, goal_minor, raised_minor, escrow_minor, status, ends_at, closed_at, version
     FROM campaigns WHERE id = $1 FOR UPDATE`,
    [id],
  );
  const row = rows[0];
  if (!row) return undefined;
  const donations: Donation[] = [];
  if (options.donationId) {
    const found = await uow.sql.query(`SELECT id, donor_id, amount_minor, status FROM donations WHERE id = $1 AND campaign_id = $2`, [
      options.donationId,
      id,
    ]);
    for (const d of found.rows)
      donations.push({ id: d.id, donorId: d.donor_id, amount: sat(d.amount_minor), status: d.status as DonationStatus });
  }
  const campaign = Campaign.restore(
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
  return uow.track(campaign, campaignWriter);
}

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
