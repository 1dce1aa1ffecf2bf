import { Money, type Currency } from '../kernel/money.ts';
import type { Sql } from '../platform/db/pools.ts';
import type { AggregateWriter, UnitOfWork } from '../platform/db/unit-of-work.ts';
import { Auction, type AuctionStatus, type Fulfilment } from './domain.ts';

const COLUMNS = `seller_id, title, currency, starting_price_minor, current_price_minor, leader_id, bid_count,
  ends_at, fulfilment, status, winner_id, payment_id, delivery_id, service_id, version`;

const auctionWriter: AggregateWriter<Auction> = {
  aggregateType: 'Auction',
  async insert(sql, auction) {
    await sql.query(
      `INSERT INTO auctions (id, ${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
      [auction.id, ...values(auction)],
    );
    await insertNewBids(sql, auction);
  },
  async update(sql, auction, expectedVersion) {
    const { rowCount } = await sql.query(
      `UPDATE auctions SET (${COLUMNS}) = ($3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
       WHERE id = $1 AND version = $2`,
      [auction.id, expectedVersion, ...values(auction)],
    );
    if (rowCount !== 1) return false;
    await insertNewBids(sql, auction);
    return true;
  },
};

function values(auction: Auction): unknown[] {
  const s = auction.state;
  return [
    s.sellerId,
    s.title,
    s.currentPrice.currency,
    s.startingPrice.minorUnits.toString(),
    s.currentPrice.minorUnits.toString(),
    s.leaderId,
    s.bidCount,
    s.endsAt,
    s.fulfilment,
    s.status,
    s.winnerId,
    s.paymentId,
    s.deliveryId,
    s.serviceId,
    auction.version,
  ];
}

async function insertNewBids(sql: Sql, auction: Auction): Promise<void> {
  const bids = auction.newBids;
  if (bids.length === 0) return;
  await sql.query(
    `INSERT INTO bids (id, auction_id, bidder_id, amount_minor, placed_at)
     SELECT id, $1, bidder, amount, at FROM unnest($2::uuid[], $3::text[], $4::bigint[], $5::timestamptz[]) AS b(id, bidder, amount, at)`,
    [auction.id, bids.map((b) => b.id), bids.map((b) => b.bidderId), bids.map((b) => b.amount.minorUnits.toString()), bids.map((b) => b.placedAt)],
  );
}

export async function findAuction(uow: UnitOfWork, id: string): Promise<Auction | undefined> {
  const tracked = uow.tracked<Auction>(auctionWriter.aggregateType, id);
  if (tracked) return tracked;
  const { rows } = await uow.sql.query(`SELECT ${COLUMNS} FROM auctions WHERE id = $1`, [id]);
  const row = rows[0];
  if (!row) return undefined;
  const currency = row.currency as Currency;
  const auction = Auction.restore(id, row.version, {
    sellerId: row.seller_id,
    title: row.title,
    startingPrice: Money.fromMinorUnits(BigInt(row.starting_price_minor), currency),
    currentPrice: Money.fromMinorUnits(BigInt(row.current_price_minor), currency),
    leaderId: row.leader_id,
    bidCount: row.bid_count,
    endsAt: row.ends_at,
    fulfilment: row.fulfilment as Fulfilment,
    status: row.status as AuctionStatus,
    winnerId: row.winner_id,
    paymentId: row.payment_id,
    deliveryId: row.delivery_id,
    serviceId: row.service_id,
  });
  return uow.track(auction, auctionWriter);
}

export function addAuction(uow: UnitOfWork, auction: Auction): void {
  uow.add(auction, auctionWriter);
}
