import { condition, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { AuctionActivities } from '../activities/auctions.ts';
import type { PaymentActivities } from '../activities/payments.ts';
import type { SettingsActivities } from '../activities/settings.ts';
import type { FulfilmentActivities } from '../activities/fulfilment.ts';
import { databaseSteps, moneyMovements, outsideCalls } from './activity-options.ts';
import {
  deliveryFulfilmentSaga,
  type DeliveryFulfilmentInput,
  type DeliveryOutcome,
  type PackageEvent,
} from './delivery-fulfilment.contract.ts';
import { SagaJournal } from './saga-journal.ts';

const activities = databaseSteps<AuctionActivities & FulfilmentActivities & SettingsActivities>();
const money = moneyMovements<PaymentActivities>();
const carrier = outsideCalls<FulfilmentActivities>();

/** How many times a deadline may pass (each one tells buyer and seller) before the package counts as lost. */
const DEADLINES_BEFORE_LOST = 2;

/**
 * The delivery saga as it ran before the order after payment (issue 13), kept verbatim so
 * the sagas started then replay and finish as they began (deliveryFulfilment runs it for
 * histories without the ORDER_AFTER_PAYMENT patch marker). Delete once none runs.
 *
 * Delivery fulfilment (`delivery-fulfilment-<deliveryId>`): create the delivery
 * transaction, book the carrier, then wait for `package.shipped` under the shipping
 * deadline and `package.delivered` under the delivery deadline. A missed deadline tells
 * buyer and seller and waits once more; after a second one, the delivery's own record
 * and the carrier are asked, and only a parcel neither saw arrive counts as lost.
 * Lost or returned: the payment is refunded at the provider (once, by idempotency key)
 * and the auction marked refunded. Carrier signals are deduplicated by event id.
 */
export async function deliveryFulfilmentBeforeOrders(input: DeliveryFulfilmentInput): Promise<{ outcome: DeliveryOutcome }> {
  const journal = new SagaJournal('creating-delivery', [input.buyerId, input.sellerId], {
    auctionId: input.auctionId,
    deliveryId: input.deliveryId,
    paymentId: input.paymentId,
  });
  upsertSearchAttributes({ DeliveryId: [input.deliveryId] });
  const seen = new Set<string>();
  const arrived = new Set<PackageEvent['type']>();
  setHandler(deliveryFulfilmentSaga.signals.packageEvent, ({ eventId, type }) => {
    if (seen.has(eventId)) return;
    seen.add(eventId);
    arrived.add(type);
  });
  const ended = (): DeliveryOutcome | undefined =>
    arrived.has('package.lost')
      ? 'lost'
      : arrived.has('package.returned')
        ? 'returned'
        : arrived.has('package.delivered')
          ? 'delivered'
          : undefined;

  const { shippingDeadlineMs, deliveryDeadlineMs } = await activities.sagaTimeouts();
  await activities.createDelivery({ ...input });
  await activities.attachFulfilmentToAuction(input.auctionId, 'delivery', input.deliveryId);
  journal.enter('booking-carrier');
  const { trackingNumber } = await carrier.bookCarrier(input.deliveryId);
  journal.know('trackingNumber', trackingNumber ?? '');

  let missed = 0;
  /** Waits for `reached()` or an end, under `deadlineMs`, twice at most; false when it gave up. */
  const waitUnder = async (stage: 'shipping' | 'delivery', deadlineMs: number, reached: () => boolean): Promise<boolean> => {
    for (let attempt = 1; attempt <= DEADLINES_BEFORE_LOST; attempt++) {
      // Decided by what the signals set, not by what `condition` returned: a timer and a signal in one
      // workflow task may resolve it either way, live and in replay, and both must take the same path.
      await condition(() => reached() || ended() !== undefined, deadlineMs);
      if (reached() || ended() !== undefined) return true;
      missed++;
      await activities.recordMissedDeadline(input.deliveryId, stage, missed);
      journal.enter(`${stage}-deadline-missed-${attempt}`);
    }
    return false;
  };

  journal.enter('awaiting-shipment');
  let gaveUp = !(await waitUnder('shipping', shippingDeadlineMs, () => arrived.has('package.shipped')));
  if (!gaveUp && ended() === undefined) {
    journal.enter('awaiting-delivery');
    gaveUp = !(await waitUnder('delivery', deliveryDeadlineMs, () => ended() !== undefined));
  }
  let outcome: DeliveryOutcome | undefined = gaveUp ? undefined : ended();
  if (outcome === undefined) {
    // The last deadline passed: what the delivery and the carrier really know decides, not the timer.
    journal.enter('checking-before-loss');
    const { status } = await carrier.declareLost(input.deliveryId);
    outcome = status === 'delivered' || status === 'returned' ? status : 'lost';
  }

  if (outcome !== 'delivered') {
    journal.enter('refunding');
    await money.refundPayment(input.paymentId);
    await activities.markAuctionRefunded(input.auctionId);
  }
  journal.enter(outcome);
  return { outcome };
}
