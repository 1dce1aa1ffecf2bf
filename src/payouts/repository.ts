import { insertPosting } from '../accounting/repository.ts';
import { Money, type Currency } from '../kernel/money.ts';
import type { Sql } from '../platform/db/pools.ts';
import type { AggregateWriter, UnitOfWork } from '../platform/db/unit-of-work.ts';
import { Payout, type PayoutStatus } from './domain.ts';

const COLUMNS = 'auction_id, seller_id, title, currency, gross_minor, fee_minor, net_minor, status, payable_at, paid_at, version';

/** The payout row is versioned; its ledger postings are written only after the versioned write matched. */
const payoutWriter: AggregateWriter<Payout> = {
  aggregateType: 'Payout',
  async insert(sql, payout) {
    await sql.query(`INSERT INTO payouts (id, ${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`, [
      payout.id,
      ...values(payout),
    ]);
    await writePostings(sql, payout);
  },
  async update(sql, payout, expectedVersion) {
    const { rowCount } = await sql.query(
      `UPDATE payouts SET (${COLUMNS}) = ($3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) WHERE id = $1 AND version = $2`,
      [payout.id, expectedVersion, ...values(payout)],
    );
    if (rowCount !== 1) return false;
    await writePostings(sql, payout);
    return true;
  },
};

function values(payout: Payout): unknown[] {
  const s = payout.state;
  return [
    s.auctionId,
    s.sellerId,
    s.title,
    s.gross.currency,
    s.gross.minorUnits.toString(),
    s.fee.minorUnits.toString(),
    s.net.minorUnits.toString(),
    s.status,
    s.payableAt,
    s.paidAt,
    payout.version,
  ];
}

async function writePostings(sql: Sql, payout: Payout): Promise<void> {
  for (const posting of payout.unsavedPostings()) await insertPosting(sql, posting);
}

export async function findPayoutOfAuction(uow: UnitOfWork, auctionId: string): Promise<Payout | undefined> {
  const { rows } = await uow.read(`SELECT id, ${COLUMNS} FROM payouts WHERE auction_id = $1`, [auctionId]);
  return rows[0] && track(uow, rows[0]);
}

export async function findPayout(uow: UnitOfWork, id: string): Promise<Payout | undefined> {
  const tracked = uow.tracked<Payout>(payoutWriter.aggregateType, id);
  if (tracked) return tracked;
  const { rows } = await uow.read(`SELECT id, ${COLUMNS} FROM payouts WHERE id = $1`, [id]);
  return rows[0] && track(uow, rows[0]);
}

export function addPayout(uow: UnitOfWork, payout: Payout): void {
  uow.add(payout, payoutWriter);
}

function track(uow: UnitOfWork, r: Record<string, any>): Payout {
  const money = (minor: string) => Money.fromMinorUnits(BigInt(minor), r.currency as Currency);
  return uow.track(
    Payout.restore(r.id, r.version, {
      auctionId: r.auction_id,
      sellerId: r.seller_id,
      title: r.title,
      gross: money(r.gross_minor),
      fee: money(r.fee_minor),
      net: money(r.net_minor),
      status: r.status as PayoutStatus,
      payableAt: r.payable_at,
      paidAt: r.paid_at,
    }),
    payoutWriter,
  );
}
