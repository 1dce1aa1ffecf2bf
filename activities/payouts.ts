import type pg from 'pg';
import { z } from 'zod';
import type { Clock } from '../src/kernel/clock.ts';
import { NotFound } from '../src/kernel/errors.ts';
import { Money } from '../src/kernel/money.ts';
import { expiredVoucherRefund } from '../src/fulfilment/service.ts';
import { getPayment } from '../src/payments/queries.ts';
import type { FeeBasisPoints } from '../src/payouts/domain.ts';
import { payPayout, schedulePayout } from '../src/payouts/use-cases.ts';

const ScheduleInput = z.object({
  auctionId: z.string().uuid(),
  paymentId: z.string().uuid(),
  sellerId: z.string().min(1),
  title: z.string(),
  /** The seller's share of what the buyer paid: all of it, or what an expired voucher's refund left. */
  share: z.enum(['whole', 'after-voucher-expiry']),
  payableAt: z.string().datetime(),
});

/** Activities of the payouts context; each idempotent (one payout per auction, paid once). */
export function createPayoutActivities(deps: { pool: pg.Pool; clock: Clock; feeBasisPoints: FeeBasisPoints }) {
  const { pool, clock, feeBasisPoints } = deps;
  return {
    schedulePayout: async (input: z.input<typeof ScheduleInput>) => {
      const { auctionId, paymentId, sellerId, title, share, payableAt } = ScheduleInput.parse(input);
      const payment = await getPayment(pool, paymentId);
      if (!payment) throw new NotFound(`no payment ${paymentId}`);
      const paid = Money.fromJSON(payment.amount);
      const gross = share === 'whole' ? paid : paid.subtract(expiredVoucherRefund(paid));
      return schedulePayout(pool, { auctionId, sellerId, title, gross, feeBasisPoints, payableAt: new Date(payableAt) });
    },
    payPayout: (payoutId: string) => payPayout(pool, z.string().uuid().parse(payoutId), clock.now()),
  };
}

export type PayoutActivities = ReturnType<typeof createPayoutActivities>;
