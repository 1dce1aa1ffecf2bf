import { Money, type Currency, type MoneyJson } from '../kernel/money.ts';
import type { Sql } from '../platform/db/pools.ts';
import type { AuctionStatus, Fulfilment } from './domain.ts';

export interface AuctionView {
  id: string;
  title: string;
  sellerId: string;
  status: AuctionStatus;
  startingPrice: MoneyJson;
  currentPrice: MoneyJson;
  endsAt: string;
  fulfilment: Fulfilment;
  bidCount: number;
  leaderId: string | null;
  winnerId: string | null;
  paymentId?: string;
  deliveryId?: string;
  serviceId?: string;
  createdAt: string;
  version: number;
}

const SELECT = `SELECT id, title, seller_id, status, currency, starting_price_minor, current_price_minor, ends_at, fulfilment,
  bid_count, leader_id, winner_id, payment_id, delivery_id, service_id, created_at, version FROM auctions`;

export async function getAuction(read: Sql, id: string): Promise<AuctionView | undefined> {
  const { rows } = await read.query(`${SELECT} WHERE id = $1`, [id]);
  return rows[0] && toView(rows[0]);
}

/** Auctions still taking bids, ending soonest first. */
export async function listActiveAuctions(read: Sql, limit = 100): Promise<AuctionView[]> {
  const { rows } = await read.query(`${SELECT} WHERE status = 'open' AND ends_at > now() ORDER BY ends_at LIMIT $1`, [limit]);
  return rows.map(toView);
}

export interface BidView {
  id: string;
  auctionId: string;
  bidderId: string;
  amount: MoneyJson;
  placedAt: string;
}

export async function listBidsOfAuction(read: Sql, auctionId: string): Promise<BidView[]> {
  const { rows } = await read.query(
    `SELECT b.id, b.auction_id, b.bidder_id, b.amount_minor, b.placed_at, a.currency
     FROM bids b JOIN auctions a ON a.id = b.auction_id WHERE b.auction_id = $1 ORDER BY b.amount_minor DESC`,
    [auctionId],
  );
  return rows.map(toBidView);
}

export async function listBidsOfCustomer(
  read: Sql,
  customerId: string,
  limit = 200,
): Promise<(BidView & { auctionTitle: string; auctionStatus: AuctionStatus; isLeading: boolean })[]> {
  const { rows } = await read.query(
    `SELECT b.id, b.auction_id, b.bidder_id, b.amount_minor, b.placed_at, a.currency, a.title, a.status,
            (a.leader_id = b.bidder_id AND a.current_price_minor = b.amount_minor) AS is_leading
     FROM bids b JOIN auctions a ON a.id = b.auction_id WHERE b.bidder_id = $1 ORDER BY b.placed_at DESC LIMIT $2`,
    [customerId, limit],
  );
  return rows.map((row) => ({ ...toBidView(row), auctionTitle: row.title, auctionStatus: row.status, isLeading: row.is_leading }));
}

function toBidView(row: Record<string, any>): BidView {
  return {
    id: row.id,
    auctionId: row.auction_id,
    bidderId: row.bidder_id,
    amount: Money.fromMinorUnits(BigInt(row.amount_minor), row.currency as Currency).toJSON(),
    placedAt: row.placed_at.toISOString(),
  };
}

function toView(row: Record<string, any>): AuctionView {
  const currency = row.currency as Currency;
  return {
    id: row.id,
    title: row.title,
    sellerId: row.seller_id,
    status: row.status,
    startingPrice: Money.fromMinorUnits(BigInt(row.starting_price_minor), currency).toJSON(),
    currentPrice: Money.fromMinorUnits(BigInt(row.current_price_minor), currency).toJSON(),
    endsAt: row.ends_at.toISOString(),
    fulfilment: row.fulfilment,
    bidCount: row.bid_count,
    leaderId: row.leader_id,
    winnerId: row.winner_id,
    ...(row.payment_id ? { paymentId: row.payment_id } : {}),
    ...(row.delivery_id ? { deliveryId: row.delivery_id } : {}),
    ...(row.service_id ? { serviceId: row.service_id } : {}),
    createdAt: row.created_at.toISOString(),
    version: row.version,
  };
}

/** Who may see an auction's audit trail: its seller and everyone who bid. */
export async function auctionParties(read: Sql, auctionId: string): Promise<string[] | undefined> {
  const { rows } = await read.query<{ seller_id: string; bidders: string[] }>(
    `SELECT a.seller_id, coalesce(array_agg(DISTINCT b.bidder_id) FILTER (WHERE b.bidder_id IS NOT NULL), '{}') AS bidders
     FROM auctions a LEFT JOIN bids b ON b.auction_id = a.id WHERE a.id = $1 GROUP BY a.seller_id`,
    [auctionId],
  );
  const row = rows[0];
  return row && [row.seller_id, ...row.bidders];
}
