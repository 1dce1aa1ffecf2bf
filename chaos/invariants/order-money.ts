import { feeOf } from '../windows.ts';
import type { InvariantRow } from './invariant-row.ts';
import { isFinal, readOrders, type OrderRecord, type PayoutRecord } from './orders.ts';
import type { InvariantWorld } from './world.ts';

export const ORDER_MONEY_ROW = 'per final order: refunds of its charge + payout gross = captured; payouts only for sales that stand';

/**
 * Money is conserved across the order after payment (docs/design.md, property 11): for
 * every order that has ended, what the provider refunded of the charge that paid for it
 * plus the seller's payout's gross is exactly what was captured, so nothing is both
 * refunded and paid out and nothing is left over. A payout belongs to an ended order of
 * its own auction that was not refunded in full, in its currency, to its seller, and its
 * fee is PLATFORM_FEE of its gross (half up) with net = gross − fee.
 */
export function orderMoneyViolations(orders: readonly OrderRecord[], payouts: readonly PayoutRecord[], feeBasisPoints: number): string[] {
  const violations: string[] = [];
  const payoutByAuction = new Map(payouts.map((p) => [p.auctionId, p]));
  const orderByAuction = new Map(orders.map((o) => [o.auctionId, o]));
  for (const order of orders.filter(isFinal)) {
    const say = (what: string) => violations.push(`${order.kind} ${order.id} (${order.status}, auction ${order.auctionId}): ${what}`);
    const payout = payoutByAuction.get(order.auctionId);
    const gross = payout?.grossMinor ?? 0n;
    if (!order.kept) {
      say(`its payment ${order.paymentId} names no charge the provider lists`);
      continue;
    }
    const { tookMinor: captured, refundedMinor: refunded } = order.kept;
    if (captured !== order.amountMinor)
      say(`the provider captured ${captured} of charge ${order.kept.chargeId}, the payment is of ${order.amountMinor}`);
    if (refunded + gross !== captured) {
      say(
        `refunded ${refunded} + paid out ${gross} (payout ${payout?.id ?? 'none'}) ≠ captured ${captured} ${order.currency} (minor units)`,
      );
    }
    if (payout && refunded >= captured) say(`refunded in full, yet payout ${payout.id} pays the seller ${payout.netMinor}`);
  }
  for (const payout of payouts) {
    const say = (what: string) => violations.push(`payout ${payout.id} (auction ${payout.auctionId}, ${payout.status}): ${what}`);
    const order = orderByAuction.get(payout.auctionId);
    if (!order) say('no delivery or voucher of that auction');
    else if (!isFinal(order)) say(`its ${order.kind} ${order.id} is ${order.status}: a payout is scheduled only once the sale is final`);
    else {
      if (payout.currency !== order.currency) say(`in ${payout.currency}, the payment in ${order.currency}`);
      if (payout.sellerId !== order.sellerId) say(`to ${payout.sellerId}, the seller is ${order.sellerId}`);
    }
    const fee = feeOf(payout.grossMinor, feeBasisPoints);
    if (payout.feeMinor !== fee || payout.netMinor !== payout.grossMinor - fee) {
      say(
        `gross ${payout.grossMinor}, fee ${payout.feeMinor}, net ${payout.netMinor}; ${feeBasisPoints / 100}% of the gross is ${fee} (half up), leaving ${payout.grossMinor - fee}`,
      );
    }
  }
  return violations;
}

export async function orderMoneyRow(world: InvariantWorld): Promise<Omit<InvariantRow, 'name'>> {
  const { orders, payouts } = await readOrders(world.read, world.paymentsUrl);
  return {
    checked: orders.filter(isFinal).length + payouts.length,
    violations: orderMoneyViolations(orders, payouts, world.feeBasisPoints),
  };
}
