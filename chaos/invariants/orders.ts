import { Money, type MoneyJson } from '../../src/kernel/money.ts';
import type { Sql } from '../../src/platform/db/pools.ts';
import { expiredVoucherRefundOf } from '../windows.ts';
import { providerCharges, type ProviderCharge } from './simulator-records.ts';

/**
 * The order after payment as the money rows read it: each delivery and voucher with the
 * payment that paid for it, its auction, the seller's payout (if any) and what the
 * provider did with the charge the payment kept. Amounts are in minor units.
 */
export interface OrderRecord {
  kind: 'delivery' | 'service';
  id: string;
  status: string;
  auctionId: string;
  sellerId: string;
  paymentId: string;
  paymentStatus: string;
  currency: string;
  amountMinor: bigint;
  auctionStatus: string | null;
  /** The charge that paid for the item (the payment's `provider_charge_id`), as the provider lists it. */
  kept: { chargeId: string; tookMinor: bigint; refundedMinor: bigint } | undefined;
}

export interface PayoutRecord {
  id: string;
  auctionId: string;
  sellerId: string;
  currency: string;
  grossMinor: bigint;
  feeMinor: bigint;
  netMinor: bigint;
  status: string;
  payableAt: Date;
  paidAt: Date | null;
}

export const FINAL_STATUSES: Record<OrderRecord['kind'], readonly string[]> = {
  delivery: ['confirmed', 'rejected', 'cancelled', 'returned', 'lost'],
  service: ['redeemed', 'cancelled', 'expired'],
};

export const isFinal = (order: OrderRecord) => FINAL_STATUSES[order.kind].includes(order.status);

/** What a final order's end implies for the money (API.md, issue 13). */
export interface ExpectedEnd {
  /** Refunded of the kept charge. */
  refundMinor: bigint;
  /** The seller's payout's gross; 0: no payout at all. */
  grossMinor: bigint;
  payment: 'captured' | 'refunded';
  auction: 'paid' | 'refunded';
}

export function expectedEnd(order: OrderRecord): ExpectedEnd | undefined {
  const amount = order.amountMinor;
  const sale: ExpectedEnd = { refundMinor: 0n, grossMinor: amount, payment: 'captured', auction: 'paid' };
  const refund: ExpectedEnd = { refundMinor: amount, grossMinor: 0n, payment: 'refunded', auction: 'refunded' };
  if (order.kind === 'delivery') {
    if (order.status === 'confirmed') return sale;
    return ['rejected', 'cancelled', 'returned', 'lost'].includes(order.status) ? refund : undefined;
  }
  if (order.status === 'redeemed') return sale;
  if (order.status === 'cancelled') return refund;
  if (order.status === 'expired') {
    const back = expiredVoucherRefundOf(amount);
    return { refundMinor: back, grossMinor: amount - back, payment: 'refunded', auction: 'paid' };
  }
  return undefined;
}

const minor = (value: unknown) => BigInt(String(value));
const chargeMinor = (money: MoneyJson) => Money.fromJSON(money).minorUnits;

export async function readOrders(read: Sql, paymentsUrl: string): Promise<{ orders: OrderRecord[]; payouts: PayoutRecord[] }> {
  const [{ rows }, payouts, charges] = await Promise.all([
    read.query(
      `SELECT o.kind, o.id, o.status, o.auction_id, o.seller_id, o.payment_id, p.status AS payment_status, p.currency,
              p.amount_minor::text AS amount_minor, p.provider_charge_id, a.status AS auction_status
       FROM (SELECT 'delivery' AS kind, id::text AS id, status, auction_id::text AS auction_id, seller_id, payment_id FROM delivery_transactions
             UNION ALL
             SELECT 'service', id::text, status, auction_id::text, seller_id, payment_id FROM service_transactions) o
       JOIN payments p ON p.id = o.payment_id
       LEFT JOIN auctions a ON a.id::text = o.auction_id`,
    ),
    readPayouts(read),
    providerCharges(paymentsUrl),
  ]);
  const chargeById = new Map<string, ProviderCharge>(charges.map((c) => [c.chargeId, c]));
  const orders = rows.map((r): OrderRecord => {
    const charge = r.provider_charge_id ? chargeById.get(r.provider_charge_id) : undefined;
    return {
      kind: r.kind,
      id: r.id,
      status: r.status,
      auctionId: r.auction_id,
      sellerId: r.seller_id,
      paymentId: String(r.payment_id),
      paymentStatus: r.payment_status,
      currency: r.currency,
      amountMinor: minor(r.amount_minor),
      auctionStatus: r.auction_status ?? null,
      kept: charge && {
        chargeId: charge.chargeId,
        tookMinor: charge.status === 'captured' || charge.status === 'refunded' ? chargeMinor(charge.amount) : 0n,
        refundedMinor: charge.refunds.reduce((total, refund) => total + chargeMinor(refund.amount), 0n),
      },
    };
  });
  return { orders, payouts };
}

export async function readPayouts(read: Sql): Promise<PayoutRecord[]> {
  const { rows } = await read.query(
    `SELECT id::text AS id, auction_id::text AS auction_id, seller_id, currency, gross_minor::text AS gross, fee_minor::text AS fee,
            net_minor::text AS net, status, payable_at, paid_at FROM payouts`,
  );
  return rows.map((r): PayoutRecord => ({
    id: r.id,
    auctionId: r.auction_id,
    sellerId: r.seller_id,
    currency: r.currency,
    grossMinor: minor(r.gross),
    feeMinor: minor(r.fee),
    netMinor: minor(r.net),
    status: r.status,
    payableAt: r.payable_at,
    paidAt: r.paid_at,
  }));
}
