import { upsertSearchAttributes } from '@temporalio/workflow';
import type { AuctionActivities } from '../activities/auctions.ts';
import type { FulfilmentActivities } from '../activities/fulfilment.ts';
import type { ServiceFulfilmentInput } from './service-fulfilment.contract.ts';
import { databaseSteps } from './activity-options.ts';
import { SagaJournal } from './saga-journal.ts';

const activities = databaseSteps<AuctionActivities & FulfilmentActivities>();

/**
 * The voucher saga as it ran before vouchers could be cancelled or expire (issue 13),
 * kept so the histories of that time replay (serviceFulfilment runs it for histories
 * without the ORDER_AFTER_PAYMENT patch marker).
 *
 * Service fulfilment (`service-fulfilment-<serviceId>`): issue the e-voucher once (a
 * retried activity gets the stored code back) and attach it to the auction; the buyer
 * is e-mailed the code from the outbox. Redemption is the buyer's, through the API.
 */
export async function serviceFulfilmentBeforeOrders(input: ServiceFulfilmentInput): Promise<{ issued: true }> {
  const journal = new SagaJournal('issuing-voucher', [input.buyerId, input.sellerId], {
    auctionId: input.auctionId,
    serviceId: input.serviceId,
    paymentId: input.paymentId,
  });
  upsertSearchAttributes({ ServiceId: [input.serviceId] });
  await activities.issueVoucher({ ...input });
  await activities.attachFulfilmentToAuction(input.auctionId, 'service', input.serviceId);
  journal.enter('issued');
  return { issued: true };
}
