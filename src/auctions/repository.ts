import { Money, type Currency } from '../kernel/money.ts';
import { recordChangesCtes, versionedWriteRecording } from '../platform/db/record-changes.ts';
import type { AggregateWriter, UnitOfWork } from '../platform/db/unit-of-work.ts';
import { Auction, type AuctionStatus, type Fulfilment } from './domain.ts';

const COLUMNS = `seller_id, title, currency, starting_price_minor, current_price_minor, leader_id, bid_count,
  ends_at, fulfilment, status, winner_id, payment_id, delivery_id, service_id, version`;

/** New bids go in with the auction row, in the same statement: one round trip per write. */
const INSERT_NEW_BIDS = `INSERT INTO bids (id, auction_id, bidder_id, amount_minor, placed_at)
  SELECT b.id, $1, b.bidder, b.amount, b.at FROM written,
    unnest($NEXT::uuid[], $NEXT::text[], $NEXT::bigint[], $NEXT::timestamptz[]) AS b(id, bidder, amount, at)`;

/** The new bids' CTE, its four parameters from `firstParam` on. */
function newBids(firstParam: number): string {
  let n = firstParam;
  return `new_bids AS (${INSERT_NEW_BIDS.replace(/\$NEXT/g, () => `$${n++}`)})`;
}

function withNewBids(statement: string, firstParam: number): string {
  return `WITH written AS (${statement} RETURNING 1), ${newBids(firstParam)}
    SELECT (SELECT count(*)::int FROM written) AS written`;
}

function newBidColumns(auction: Auction): unknown[] {
  const bids = auction.newBids;
  return [bids.map((b) => b.id), bids.map((b) => b.bidderId), bids.map((b) => b.amount.minorUnits.toString()), bids.map((b) => b.placedAt)];
}

const INSERT_AUCTION = withNewBids(
  `INSERT INTO auctions (id, ${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
  17,
);
const UPDATE_STATEMENT = `UPDATE auctions SET (${COLUMNS}) = ($3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) WHERE id = $1 AND version = $2`;
const UPDATE_AUCTION = withNewBids(UPDATE_STATEMENT, 18);
/** A bid in one round trip: the versioned update, the new bid, the events, the outbox, the NOTIFY. */
const UPDATE_AUCTION_RECORDING = versionedWriteRecording(UPDATE_STATEMENT, 22, newBids(18));

const auctionWriter: AggregateWriter<Auction> = {
  aggregateType: 'Auction',
  async insert(sql, auction) {
    await sql.query({ name: 'auctions.insert', text: INSERT_AUCTION, values: [auction.id, ...values(auction), ...newBidColumns(auction)] });
  },
  async update(sql, auction, expectedVersion) {
    const { rows } = await sql.query<{ written: number }>({
      name: 'auctions.update',
      text: UPDATE_AUCTION,
      values: [auction.id, expectedVersion, ...values(auction), ...newBidColumns(auction)],
    });
    return rows[0]?.written === 1;
  },
  async updateRecording(sql, auction, expectedVersion, changes) {
    const { rows } = await sql.query<{ written: number }>({
      name: 'auctions.update-recording',
      text: UPDATE_AUCTION_RECORDING,
      values: [auction.id, expectedVersion, ...values(auction), ...newBidColumns(auction), ...recordChangesCtes(changes, 22).values],
    });
    return rows[0]?.written === 1;
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

/**
 * Loads an auction into the unit of work. `lock: true` takes the row lock at the read
 * (`FOR UPDATE`): for a hot auction, concurrent bids then queue on the lock instead of
 * all reading the same version, all but one failing the versioned write, and redoing
 * their whole transaction. The versioned UPDATE still guards every write.
 */
export async function findAuction(uow: UnitOfWork, id: string, options: { lock?: boolean } = {}): Promise<Auction | undefined> {
  const tracked = uow.tracked<Auction>(auctionWriter.aggregateType, id);
  if (tracked) return tracked;
  const { rows } = options.lock
    ? await uow.sql.query({
        name: 'auctions.find-for-update',
        text: `SELECT ${COLUMNS} FROM auctions WHERE id = $1 FOR UPDATE`,
        values: [id],
      })
    : await uow.read({ name: 'auctions.find', text: `SELECT ${COLUMNS} FROM auctions WHERE id = $1`, values: [id] });
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
