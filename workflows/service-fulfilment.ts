import { patched, setHandler } from '@temporalio/workflow';
import type { AuctionActivities } from '../activities/auctions.ts';
import type { FulfilmentActivities } from '../activities/fulfilment.ts';
import type { PaymentActivities } from '../activities/payments.ts';
import type { SettingsActivities } from '../activities/settings.ts';
import type { ServiceStatus } from '../src/fulfilment/service.ts';
import { databaseSteps, moneyMovements } from './activity-options.ts';
import { ORDER_AFTER_PAYMENT, SAGAS_OF_2026_11_30 } from './patches.ts';
import { SagaJournal } from './saga-journal.ts';
import { payTheSeller } from './seller-payout.ts';
import { serviceFulfilmentSaga, type ServiceFulfilmentInput, type ServiceOutcome } from './service-fulfilment.contract.ts';
import { serviceFulfilmentBeforeOrders } from './service-fulfilment-v1.ts';
import { StatusWatch } from './status-watch.ts';

const steps = databaseSteps<AuctionActivities & FulfilmentActivities & SettingsActivities>();
const money = moneyMovements<PaymentActivities & FulfilmentActivities>();

/**
 * An e-voucher (`service-fulfilment-<serviceId>`): issued once (a retried step gets the
 * stored code back, and the code never enters this history) and e-mailed to the buyer
 * from the outbox; then one of three ends, decided by the voucher's versioned write:
 * - redeemed by the buyer: the seller's payout, `SETTLEMENT_DELAY` later;
 * - cancelled by the buyer within `VOUCHER_CANCEL_WINDOW`: refunded in full;
 * - unused at `VOUCHER_VALIDITY`: expired, 90% refunded (a partial refund at the
 *   provider) and the rest paid to the seller, less the fee.
 */
export async function serviceFulfilment(input: ServiceFulfilmentInput): Promise<{ issued: true; outcome?: ServiceOutcome }> {
  if (!patched(SAGAS_OF_2026_11_30) && !patched(ORDER_AFTER_PAYMENT)) return serviceFulfilmentBeforeOrders(input);

  const id = input.serviceId;
  const journal = new SagaJournal('issuing-voucher', [input.buyerId, input.sellerId], {
    auctionId: input.auctionId,
    serviceId: id,
    paymentId: input.paymentId,
  });
  journal.searchable({ ServiceId: [id] });
  const voucher = new StatusWatch<ServiceStatus>('issued', () => steps.serviceStatus(id));
  setHandler(serviceFulfilmentSaga.signals.voucherChanged, () => voucher.nudge());

  const t = await steps.sagaTimeouts();
  await steps.issueVoucher({ ...input });
  await steps.attachFulfilmentToAuction(input.auctionId, 'service', id);
  journal.enter('issued');
  if (!(await voucher.waitUntil((s) => s !== 'issued', t.voucherValidityMs))) {
    journal.enter('expiring');
    voucher.status = (await steps.expireVoucher(id)).status;
  }

  const outcome = voucher.status as Exclude<ServiceStatus, 'issued'>;
  switch (outcome) {
    case 'redeemed':
      await payTheSeller(journal, input, 'whole', t.settlementDelayMs);
      break;
    case 'cancelled':
      journal.enter('refunding');
      await money.refundPayment(input.paymentId);
      await steps.markAuctionRefunded(input.auctionId);
      break;
    case 'expired':
      journal.enter('refunding-unused-share');
      await money.refundExpiredVoucher(input.paymentId);
      await payTheSeller(journal, input, 'after-voucher-expiry', t.settlementDelayMs);
      break;
  }
  journal.enter(outcome);
  return { issued: true, outcome };
}
