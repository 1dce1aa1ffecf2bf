import { Money, type Currency, type MoneyJson } from '../kernel/money.ts';
import type { Sql } from '../platform/db/pools.ts';
import type { PayoutStatus } from './domain.ts';

export interface PayoutView {
  id: string;
  auctionId: string;
  title: string;
  gross: MoneyJson;
  fee: MoneyJson;
  net: MoneyJson;
  status: PayoutStatus;
  payableAt: string;
  paidAt: string | null;
  createdAt: string;
}

/** A seller's payouts, newest first. */
export async function listPayoutsOfSeller(read: Sql, sellerId: string): Promise<PayoutView[]> {
  const { rows } = await read.query('SELECT * FROM payouts WHERE seller_id = $1 ORDER BY created_at DESC, id LIMIT 200', [sellerId]);
  return rows.map((r) => {
    const money = (minor: string) => Money.fromMinorUnits(BigInt(minor), r.currency as Currency).toJSON();
    return {
      id: r.id,
      auctionId: r.auction_id,
      title: r.title,
      gross: money(r.gross_minor),
      fee: money(r.fee_minor),
      net: money(r.net_minor),
      status: r.status,
      payableAt: r.payable_at.toISOString(),
      paidAt: r.paid_at ? r.paid_at.toISOString() : null,
      createdAt: r.created_at.toISOString(),
    };
  });
}
