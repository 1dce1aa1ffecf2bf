import { patched, setHandler } from '@temporalio/workflow';
import type { AuctionActivities } from '../activities/auctions.ts';
import type { FulfilmentActivities } from '../activities/fulfilment.ts';
import type { PaymentActivities } from '../activities/payments.ts';
import type { SettingsActivities } from '../activities/settings.ts';
import type { DeliveryStatus } from '../src/fulfilment/delivery.ts';
import { databaseSteps, moneyMovements, outsideCalls } from './activity-options.ts';
import { deliveryFulfilmentSaga, type DeliveryFulfilmentInput, type DeliveryOutcome } from './delivery-fulfilment.contract.ts';
import { deliveryFulfilmentBeforeOrders } from './delivery-fulfilment-v1.ts';
import { ORDER_AFTER_PAYMENT, SAGAS_OF_2026_11_30 } from './patches.ts';
import { SagaJournal } from './saga-journal.ts';
import { payTheSeller } from './seller-payout.ts';
import { StatusWatch } from './status-watch.ts';

const steps = databaseSteps<AuctionActivities & FulfilmentActivities & SettingsActivities>();
const money = moneyMovements<PaymentActivities>();
const carrier = outsideCalls<FulfilmentActivities>();

/** How many times a carrier deadline may pass (each one tells buyer and seller) before the parcel is checked and given up. */
const DEADLINES_BEFORE_LOST = 2;

/** The statuses an order ends in that give the buyer's money back. */
const REFUNDED: readonly DeliveryStatus[] = ['rejected', 'cancelled', 'returned', 'lost'];

/**
 * The order after payment (`delivery-fulfilment-<deliveryId>`, seed 000's business
 * transaction service), as durable timers around one record:
 *
 * 1. the seller accepts (the carrier is booked) or rejects within `SELLER_RESPONSE_WINDOW`;
 *    silence is a rejection;
 * 2. the parcel ships and arrives under the carrier deadlines (each missed once is told,
 *    the second makes the carrier's own record decide); the buyer may cancel until it ships;
 * 3. delivered, the buyer confirms or claims a return within `CONFIRMATION_WINDOW`
 *    (reminded `CONFIRMATION_REMINDER` before it ends); silence confirms;
 * 4. a return is booked with the carrier and ends returned (or lost) when it arrives;
 * 5. confirmed, the seller's payout is scheduled and paid `SETTLEMENT_DELAY` later;
 *    rejected, cancelled, returned or lost, the buyer is refunded in full, once.
 *
 * Every race (cancel and ship, confirm and return, accept and the window's end) is
 * decided by the delivery's versioned write, never here: signals only wake the saga,
 * which reads the status, and each timer step is a guarded write that returns the
 * status it found.
 */
export async function deliveryFulfilment(input: DeliveryFulfilmentInput): Promise<{ outcome: DeliveryOutcome }> {
  // Sagas started before orders had a seller's answer finish as they began.
  if (!patched(SAGAS_OF_2026_11_30) && !patched(ORDER_AFTER_PAYMENT)) return deliveryFulfilmentBeforeOrders(input);

  const id = input.deliveryId;
  const journal = new SagaJournal('creating-delivery', [input.buyerId, input.sellerId], {
    auctionId: input.auctionId,
    deliveryId: id,
    paymentId: input.paymentId,
  });
  journal.searchable({ DeliveryId: [id] });
  const order = new StatusWatch<DeliveryStatus>('pending', () => steps.deliveryStatus(id));
  setHandler(deliveryFulfilmentSaga.signals.packageEvent, () => order.nudge());
  setHandler(deliveryFulfilmentSaga.signals.orderChanged, () => order.nudge());

  const t = await steps.sagaTimeouts();
  await steps.createDelivery({ ...input });
  await steps.attachFulfilmentToAuction(input.auctionId, 'delivery', id);

  journal.enter('awaiting-seller');
  if (!(await order.waitUntil((s) => s !== 'pending', t.sellerResponseWindowMs))) {
    order.status = (await steps.rejectUnansweredOrder(id)).status;
  }

  if (order.status === 'accepted') {
    journal.enter('booking-carrier');
    const booking = await carrier.bookCarrier(id);
    if (booking.trackingNumber) journal.know('trackingNumber', booking.trackingNumber);
    order.status = booking.status;
  }

  let missed = 0;
  /** Waits for the parcel to leave `stage`'s status, twice under `deadlineMs`, then asks the carrier. */
  const underDeadlines = async (stage: 'shipping' | 'delivery', deadlineMs: number, waitingIn: DeliveryStatus) => {
    for (let attempt = 1; attempt <= DEADLINES_BEFORE_LOST; attempt++) {
      if (await order.waitUntil((s) => s !== waitingIn, deadlineMs)) return;
      // The record, not the signals, decides whether the deadline really passed: a lost signal costs a delay, never a refund.
      order.status = (await steps.deliveryStatus(id)).status;
      if (order.status !== waitingIn) return;
      missed++;
      await steps.recordMissedDeadline(id, stage, missed);
      journal.enter(`${stage}-deadline-missed-${attempt}`);
    }
    journal.enter('checking-before-loss');
    order.status = (await carrier.declareLost(id)).status;
  };
  if (order.status === 'accepted') {
    journal.enter('awaiting-shipment');
    await underDeadlines('shipping', t.shippingDeadlineMs, 'accepted');
  }
  if (order.status === 'shipped') {
    journal.enter('awaiting-delivery');
    await underDeadlines('delivery', t.deliveryDeadlineMs, 'shipped');
  }

  if (order.status === 'delivered') {
    journal.enter('awaiting-confirmation');
    const untilReminder = Math.max(0, t.confirmationWindowMs - t.confirmationReminderMs);
    let answered = await order.waitUntil((s) => s !== 'delivered', untilReminder);
    if (!answered) {
      order.status = (await steps.remindToConfirm(id)).status;
      if (order.status === 'delivered') journal.enter('buyer-reminded');
      answered = await order.waitUntil((s) => s !== 'delivered', t.confirmationWindowMs - untilReminder);
    }
    if (!answered) order.status = (await steps.confirmUnclaimedDelivery(id)).status;
  }

  // A parcel that had left before its cancellation must first reach the buyer before it can come back.
  let returnLeadMs = 0;
  if (order.status === 'cancelled') {
    // Cancelled at the carrier too; a parcel that had left meanwhile comes back as a return.
    journal.enter('cancelling-shipment');
    order.status = (await carrier.cancelShipment(id)).status;
    if (order.status === 'return-requested') returnLeadMs = t.deliveryDeadlineMs;
  }

  if (order.status === 'return-requested') {
    journal.enter('booking-return');
    const { returnTrackingNumber } = await carrier.bookReturn(id);
    journal.know('returnTrackingNumber', returnTrackingNumber);
    journal.enter('awaiting-return');
    if (!(await order.waitUntil((s) => s !== 'return-requested', returnLeadMs + t.shippingDeadlineMs + t.deliveryDeadlineMs))) {
      journal.enter('checking-overdue-return');
      order.status = (await carrier.settleOverdueReturn(id)).status;
    }
  }

  const outcome = order.status;
  if (outcome === 'confirmed') {
    await payTheSeller(journal, input, 'whole', t.settlementDelayMs);
  } else if (REFUNDED.includes(outcome)) {
    journal.enter('refunding');
    await money.refundPayment(input.paymentId);
    await steps.markAuctionRefunded(input.auctionId);
  } else {
    // Every stage above leaves its own status behind (its timer step decides), so this is a bug, not a state.
    throw new Error(`delivery ${id} left the order saga in status ${outcome}`);
  }
  journal.enter(outcome);
  return { outcome: outcome as DeliveryOutcome };
}
