import { sleep } from '@temporalio/workflow';
import type { PayoutActivities } from '../activities/payouts.ts';
import { databaseSteps } from './activity-options.ts';
import type { FulfilmentInput } from './fulfilment-input.ts';
import type { SagaJournal } from './saga-journal.ts';

const steps = databaseSteps<PayoutActivities>();

/**
 * The end of a sale that stands (confirmed, redeemed, or an expired voucher's share):
 * the seller's payout is scheduled, less the platform's fee, and paid `settlementDelayMs`
 * later on a durable timer. Both steps are idempotent (one payout per auction, paid once).
 */
export async function payTheSeller(
  journal: SagaJournal,
  input: FulfilmentInput,
  share: 'whole' | 'after-voucher-expiry',
  settlementDelayMs: number,
): Promise<void> {
  journal.enter('scheduling-payout');
  const { payoutId } = await steps.schedulePayout({
    auctionId: input.auctionId,
    paymentId: input.paymentId,
    sellerId: input.sellerId,
    title: input.title,
    share,
    payableAt: new Date(Date.now() + settlementDelayMs).toISOString(),
  });
  journal.know('payoutId', payoutId);
  journal.enter('awaiting-settlement');
  await sleep(settlementDelayMs);
  journal.enter('paying-out');
  await steps.payPayout(payoutId);
  journal.enter('paid-out');
}
