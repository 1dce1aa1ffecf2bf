import { satoshis } from '../accounting/domain.ts';
import type { MoneyJson } from '../kernel/money.ts';
import type { Sql } from '../platform/db/pools.ts';
import { campaignSaga } from '../../workflows/campaign.contract.ts';
import type { CampaignStatus, DonationStatus } from './domain.ts';

export interface CampaignView {
  id: string;
  ownerId: string;
  title: string;
  description: string;
  status: CampaignStatus;
  goal: MoneyJson;
  raised: MoneyJson;
  /** What the escrow holds now: donations neither refunded nor paid to the owner. */
  escrow: MoneyJson;
  /** How many customers donated. */
  donors: number;
  endsAt: string;
  closedAt: string | null;
  createdAt: string;
  workflowId: string;
  version: number;
}

const sat = (minor: string | bigint) => satoshis(minor).toJSON();

const SELECT = `SELECT c.id, c.owner_id, c.title, c.description, c.status, c.goal_minor, c.raised_minor, c.escrow_minor, c.ends_at,
  c.closed_at, c.created_at, c.version, (SELECT count(DISTINCT d.donor_id) FROM donations d WHERE d.campaign_id = c.id)::int AS donors
  FROM campaigns c`;

export async function getCampaign(read: Sql, id: string): Promise<CampaignView | undefined> {
  const { rows } = await read.query(`${SELECT} WHERE c.id = $1`, [id]);
  return rows[0] && toView(rows[0]);
}

/** A page of open campaigns, soonest ending first; the cursor is the last one's `(endsAt, id)`. */
export interface CampaignPage {
  campaigns: CampaignView[];
  nextCursor: string | null;
}

export async function listOpenCampaigns(read: Sql, page: { limit: number; after?: { endsAt: Date; id: string } }): Promise<CampaignPage> {
  const { rows } = page.after
    ? await read.query(`${SELECT} WHERE c.status = 'open' AND (c.ends_at, c.id) > ($1, $2) ORDER BY c.ends_at, c.id LIMIT $3`, [
        page.after.endsAt,
        page.after.id,
        page.limit + 1,
      ])
    : await read.query(`${SELECT} WHERE c.status = 'open' ORDER BY c.ends_at, c.id LIMIT $1`, [page.limit + 1]);
  const campaigns = rows.slice(0, page.limit).map(toView);
  const last = campaigns.at(-1);
  return { campaigns, nextCursor: rows.length > page.limit && last ? encodeCursor(last) : null };
}

/** Opaque to clients; base64url of `endsAt|id`. */
function encodeCursor(view: CampaignView): string {
  return btoa(`${view.endsAt}|${view.id}`).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

/** The cursor's position, or undefined when it is not one of ours. */
export function decodeCursor(cursor: string): { endsAt: Date; id: string } | undefined {
  try {
    const [endsAt, id] = atob(cursor.replaceAll('-', '+').replaceAll('_', '/')).split('|');
    const at = new Date(endsAt ?? '');
    if (!id || Number.isNaN(at.getTime()) || !/^[0-9a-f-]{36}$/.test(id)) return undefined;
    return { endsAt: at, id };
  } catch {
    return undefined;
  }
}

/** Who may see a campaign's events (they name its donors): its owner; undefined for an unknown id. */
export async function campaignParties(read: Sql, campaignId: string): Promise<string[] | undefined> {
  const { rows } = await read.query(`SELECT owner_id FROM campaigns WHERE id = $1`, [campaignId]);
  return rows[0] && [rows[0].owner_id as string];
}

export async function listCampaignsOwnedBy(read: Sql, ownerId: string, limit = 200): Promise<CampaignView[]> {
  const { rows } = await read.query(`${SELECT} WHERE c.owner_id = $1 ORDER BY c.created_at DESC LIMIT $2`, [ownerId, limit]);
  return rows.map(toView);
}

export interface DonationView {
  id: string;
  campaignId: string;
  campaignTitle: string;
  campaignStatus: CampaignStatus;
  amount: MoneyJson;
  status: DonationStatus;
  createdAt: string;
}

export async function listDonationsBy(read: Sql, donorId: string, limit = 200): Promise<DonationView[]> {
  const { rows } = await read.query(
    `SELECT d.id, d.campaign_id, c.title, c.status AS campaign_status, d.amount_minor, d.status, d.created_at
     FROM donations d JOIN campaigns c ON c.id = d.campaign_id WHERE d.donor_id = $1 ORDER BY d.created_at DESC LIMIT $2`,
    [donorId, limit],
  );
  return rows.map((r) => ({
    id: r.id,
    campaignId: r.campaign_id,
    campaignTitle: r.title,
    campaignStatus: r.campaign_status,
    amount: sat(r.amount_minor),
    status: r.status,
    createdAt: r.created_at.toISOString(),
  }));
}

/** The donors of a campaign, for its e-mails. */
export async function donorsOf(read: Sql, campaignId: string): Promise<string[]> {
  const { rows } = await read.query(`SELECT DISTINCT donor_id FROM donations WHERE campaign_id = $1 ORDER BY donor_id`, [campaignId]);
  return rows.map((r) => r.donor_id as string);
}

function toView(row: Record<string, any>): CampaignView {
  return {
    id: row.id,
    ownerId: row.owner_id,
    title: row.title,
    description: row.description,
    status: row.status,
    goal: sat(row.goal_minor),
    raised: sat(row.raised_minor),
    escrow: sat(row.escrow_minor),
    donors: row.donors,
    endsAt: row.ends_at.toISOString(),
    closedAt: row.closed_at ? row.closed_at.toISOString() : null,
    createdAt: row.created_at.toISOString(),
    workflowId: campaignSaga.workflowId(row.id),
    version: row.version,
  };
}
