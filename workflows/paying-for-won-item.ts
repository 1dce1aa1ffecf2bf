import {
  CancellationScope,
  ParentClosePolicy,
  WorkflowIdReusePolicy,
  condition,
  isCancellation,
  patched,
  proxyActivities,
  setHandler,
  startChild,
  upsertSearchAttributes,
  uuid4,
} from '@temporalio/workflow';
import type { AuctionActivities } from '../activities/auctions.ts';
import type { PaymentActivities } from '../activities/payments.ts';
import type { SettingsActivities } from '../activities/settings.ts';
import type { ShippingActivities } from '../activities/shipping.ts';
import type { MoneyJson } from '../src/kernel/money.ts';
import { Compensations } from './compensations.ts';
import { chargeRequestedSignal, paymentCapturedSignal, paymentFailedSignal, type ChargeRequested } from './messages.ts';
import { SagaJournal } from './saga-journal.ts';
import { deliveryFulfilment } from './delivery-fulfilment.ts';
import { serviceFulfilment } from './service-fulfilment.ts';

/** Patch id: paid auctions are handed to the fulfilment sagas (before: a pending-fulfilment row). */
const FULFILMENT_SAGAS = 'fulfilment-sagas';

/**
 * Starts the fulfilment saga for the auction's kind as a child that outlives this saga.
 * The id comes from the workflow's deterministic uuid4, so replays start nothing new.
 */
async function startFulfilment(input: PayingForWonItemInput & { paymentId: string }): Promise<string> {
  const fulfilmentId = uuid4();
  const common = {
    auctionId: input.auctionId,
    buyerId: input.winnerId,
    sellerId: input.sellerId,
    paymentId: input.paymentId,
    title: input.title,
  };
  const options = {
    parentClosePolicy: ParentClosePolicy.ABANDON,
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    searchAttributes: { AuctionId: [input.auctionId], CustomerId: [input.winnerId, input.sellerId] },
  };
  if (input.fulfilment === 'delivery') {
    await startChild(deliveryFulfilment, {
      ...options,
      workflowId: `delivery-fulfilment-${fulfilmentId}`,
      args: [{ ...common, deliveryId: fulfilmentId }],
    });
  } else {
    await startChild(serviceFulfilment, {
      ...options,
      workflowId: `service-fulfilment-${fulfilmentId}`,
      args: [{ ...common, serviceId: fulfilmentId }],
    });
  }
  return fulfilmentId;
}

const activities = proxyActivities<AuctionActivities & PaymentActivities & ShippingActivities & SettingsActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '30 seconds' },
});

/** A provider call has 10 s; if the worker dies mid-call, the retry (same idempotency key) comes that much sooner. */
const provider = proxyActivities<PaymentActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '30 seconds' },
});

export interface PayingForWonItemInput {
  auctionId: string;
  winnerId: string;
  sellerId: string;
  title: string;
  amount: MoneyJson;
  fulfilment: 'delivery' | 'service';
}

export type PayingOutcome = { outcome: 'paid'; paymentId: string } | { outcome: 'unpaid'; paymentId: string };

/**
 * Seed 001's PayingForWonItem (`paying-for-won-item-<auctionId>`): start a payment (the
 * winner is e-mailed from the outbox), then wait for the provider's capture, racing the
 * payment window. Charges requested by the winner run here, as activities keyed by
 * payment and attempt; a failed charge lets the winner try again within the window.
 * Captured: the auction is paid and handed over to fulfilment. Window elapsed: the
 * payment is cancelled and the auction marked unpaid (both parties are e-mailed).
 * Provider signals are deduplicated by webhook event id.
 */
export async function payingForWonItem(input: PayingForWonItemInput): Promise<PayingOutcome> {
  const journal = new SagaJournal('starting-payment', [input.winnerId, input.sellerId], { auctionId: input.auctionId });
  const seenEvents = new Set<string>();
  const firstTime = (eventId: string) => !seenEvents.has(eventId) && Boolean(seenEvents.add(eventId));
  const charges: ChargeRequested[] = [];
  let captured = false;
  let failures = 0;
  setHandler(paymentCapturedSignal, ({ eventId }) => void (firstTime(eventId) && (captured = true)));
  setHandler(paymentFailedSignal, ({ eventId }) => void (firstTime(eventId) && failures++));
  setHandler(chargeRequestedSignal, (request) => void (firstTime(`charge-attempt-${request.attempt}`) && charges.push(request)));

  const compensations = new Compensations();
  try {
    const { paymentWindowMs } = await activities.sagaTimeouts();
    const deadline = Date.now() + paymentWindowMs;

    // The undo is registered before the step: cancelling finds no payment, or this one.
    compensations.register('cancel payment', () => activities.cancelPaymentOfAuction(input.auctionId));
    const { paymentId } = await activities.startPayment({
      auctionId: input.auctionId,
      payerId: input.winnerId,
      payeeId: input.sellerId,
      amount: input.amount,
      title: input.title,
    });
    journal.know('paymentId', paymentId);
    upsertSearchAttributes({ PaymentId: [paymentId] });
    await activities.attachPaymentToAuction(input.auctionId, paymentId);

    journal.enter('awaiting-payment');
    let seenFailures = 0;
    while (!captured) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      const woke = await condition(() => captured || charges.length > 0 || failures > seenFailures, remaining);
      if (!woke) break;
      if (failures > seenFailures) {
        seenFailures = failures;
        journal.enter('payment-failed-awaiting-retry');
      }
      const charge = charges.shift();
      if (charge) {
        journal.enter('charging');
        await provider.chargePayment({ paymentId, attempt: charge.attempt, cardToken: charge.cardToken });
        journal.enter('awaiting-payment');
      }
    }

    if (!captured) {
      journal.enter('payment-window-elapsed');
      await compensations.run();
      await activities.markAuctionUnpaid(input.auctionId);
      journal.enter('unpaid');
      return { outcome: 'unpaid', paymentId };
    }

    // Captured: the money is in; from here on nothing is undone by cancelling the payment.
    compensations.clear();
    journal.enter('marking-paid');
    await activities.markAuctionPaid(input.auctionId);
    journal.enter('handing-over-to-fulfilment');
    if (patched(FULFILMENT_SAGAS)) {
      const fulfilmentId = await startFulfilment({ ...input, paymentId });
      journal.know(input.fulfilment === 'delivery' ? 'deliveryId' : 'serviceId', fulfilmentId);
    } else {
      // Sagas that started before the fulfilment sagas existed hand over as they did then.
      await activities.requestFulfilment({
        auctionId: input.auctionId,
        kind: input.fulfilment,
        buyerId: input.winnerId,
        sellerId: input.sellerId,
        paymentId,
      });
    }
    journal.enter('completed');
    return { outcome: 'paid', paymentId };
  } catch (error) {
    if (isCancellation(error)) {
      journal.enter('cancelled-compensating');
      await compensations.run();
      await CancellationScope.nonCancellable(() => activities.markAuctionUnpaid(input.auctionId).catch(() => undefined));
    }
    throw error;
  }
}
