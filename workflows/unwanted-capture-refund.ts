import type { PaymentActivities } from '../activities/payments.ts';
import { moneyMovements } from './activity-options.ts';
import { SagaJournal } from './saga-journal.ts';

import type { UnwantedCaptureRefundInput } from './unwanted-capture-refund.contract.ts';

const money = moneyMovements<PaymentActivities>();

/**
 * Gives back a capture the payment did not keep: one that arrived after the payment
 * window closed, or a second charge (`unwanted-capture-refund-<chargeId>`). Started by the
 * payments context when it records the capture; the refund is keyed by the charge, so
 * it happens once however often this runs. The provider's `payment.refunded` webhook
 * then marks the payment refunded and the payer is e-mailed.
 */
export async function unwantedCaptureRefund(input: UnwantedCaptureRefundInput): Promise<{ refundId: string }> {
  const journal = new SagaJournal('refunding', [input.payerId], {
    paymentId: input.paymentId,
    auctionId: input.auctionId,
    providerChargeId: input.providerChargeId,
  });
  const { refundId } = await money.refundUnwantedCapture({ paymentId: input.paymentId, providerChargeId: input.providerChargeId });
  journal.enter('refunded');
  return { refundId };
}
