import { CancellationScope, condition, isCancellation, patched, setHandler, uuid4 } from '@temporalio/workflow';
import type { AuctionActivities } from '../activities/auctions.ts';
import type { PaymentActivities } from '../activities/payments.ts';
import type { SettingsActivities } from '../activities/settings.ts';
import type { FulfilmentActivities } from '../activities/fulfilment.ts';
import { databaseSteps, moneyMovements, refusalOf } from './activity-options.ts';
import { Compensations } from './compensations.ts';
import { REFUSAL } from './refusals.ts';
import { startChildSaga } from './child-sagas.ts';
import { deliveryFulfilmentSaga } from './delivery-fulfilment.contract.ts';
import {
  payingForWonItemSaga,
  type ChargeRequested,
  type PayingForWonItemInput,
  type PayingForWonItemResult,
} from './paying-for-won-item.contract.ts';
import { serviceFulfilmentSaga } from './service-fulfilment.contract.ts';
import { SAGAS_OF_2026_11_30 } from './patches.ts';
import { SagaJournal } from './saga-journal.ts';
import { deliveryFulfilment } from './delivery-fulfilment.ts';
import { serviceFulfilment } from './service-fulfilment.ts';

/** Patch id: paid auctions are handed to the fulfilment sagas (before: a pending-fulfilment row). */
const FULFILMENT_SAGAS = 'fulfilment-sagas';
/** Patch id: once captured, the hand-over finishes even if the saga is cancelled (before: the auction was marked unpaid). */
const HAND_OVER_DESPITE_CANCELLATION = 'hand-over-despite-cancellation';

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
  if (input.fulfilment === 'delivery') {
    await startChildSaga(deliveryFulfilment, deliveryFulfilmentSaga, { ...common, deliveryId: fulfilmentId });
  } else {
    await startChildSaga(serviceFulfilment, serviceFulfilmentSaga, { ...common, serviceId: fulfilmentId });
  }
  return fulfilmentId;
}

const steps = databaseSteps<AuctionActivities & PaymentActivities & FulfilmentActivities & SettingsActivities>();
const money = moneyMovements<PaymentActivities>();

/**
 * Seed 001's PayingForWonItem (`paying-for-won-item-<auctionId>`): start a payment (the
 * winner is e-mailed from the outbox), then wait for the provider's capture, racing the
 * payment window. Each charge the winner requests runs beside the window's timer, never
 * in front of it: at most one attempt is at the provider (the payment refuses a second),
 * a card the provider refuses fails that attempt at once, and the winner may try again.
 * Captured: the auction is paid and handed over to fulfilment. Window elapsed: the
 * attempt in flight is cancelled (waiting until its call has ended), the payment is
 * cancelled, every charge the provider still holds for it is voided, and the auction is
 * marked unpaid (both parties are e-mailed). A capture that still arrives is refunded by
 * the payments context. Provider signals are deduplicated by webhook event id.
 */
export async function payingForWonItem(input: PayingForWonItemInput): Promise<PayingForWonItemResult> {
  const journal = new SagaJournal('starting-payment', [input.winnerId, input.sellerId], { auctionId: input.auctionId });
  /** Started by code that has both patches below: their new branches, without asking (patches.ts). */
  const recent = patched(SAGAS_OF_2026_11_30);
  const seenEvents = new Set<string>();
  const firstTime = (eventId: string) => !seenEvents.has(eventId) && Boolean(seenEvents.add(eventId));
  const requests: ChargeRequested[] = [];
  let captured = false;
  let failures = 0;
  const { chargeCaptured, chargeFailed, chargeRequested } = payingForWonItemSaga.signals;
  setHandler(chargeCaptured, ({ eventId }) => void (firstTime(eventId) && (captured = true)));
  setHandler(chargeFailed, ({ eventId }) => void (firstTime(eventId) && failures++));
  setHandler(chargeRequested, (request) => void (firstTime(`charge-attempt-${request.attempt}`) && requests.push(request)));

  // Every charge attempt runs in this scope, so the window's end can stop the one in flight.
  const charging = new CancellationScope();
  let attemptInFlight: Promise<void> | undefined;
  const settleAttemptInFlight = async () => {
    charging.cancel();
    await attemptInFlight?.catch(() => undefined); // money activities wait until the provider call has really ended
  };
  const compensations = new Compensations();
  let openedPaymentId: string | undefined;
  try {
    const { paymentWindowMs } = await steps.sagaTimeouts();
    const deadline = Date.now() + paymentWindowMs;

    // The undo is registered before the step: cancelling finds no payment, or this one.
    compensations.register('close the payment window', async () => {
      await settleAttemptInFlight();
      const { outcome } = await steps.closePaymentWindow(input.auctionId);
      if (outcome === 'cancelled') await money.reconcileChargesAfterWindow(input.auctionId);
      if (outcome === 'captured') {
        // The saga is being cancelled after the money came in: give it back.
        if (openedPaymentId) await money.refundPayment(openedPaymentId);
        await steps.markAuctionRefunded(input.auctionId);
      }
    });
    const { paymentId } = await steps.startPayment({
      auctionId: input.auctionId,
      payerId: input.winnerId,
      payeeId: input.sellerId,
      amount: input.amount,
      title: input.title,
      payableUntil: new Date(deadline).toISOString(),
    });
    openedPaymentId = paymentId;
    journal.know('paymentId', paymentId);
    journal.searchable({ PaymentId: [paymentId] });
    await steps.attachPaymentToAuction(input.auctionId, paymentId);

    /** One attempt: the charge at the provider; a refusal fails the attempt, so the payer may try again. */
    const attempt = async ({ attempt, cardToken }: ChargeRequested): Promise<void> => {
      journal.enter('charging');
      try {
        await money.chargePayment({ paymentId, attempt, cardToken });
        journal.enter('awaiting-provider');
      } catch (error) {
        if (isCancellation(error)) throw error;
        const refusal = refusalOf(error);
        // A Conflict means the attempt was decided meanwhile (by a webhook, or the window): nothing to undo.
        if (refusal?.type === 'Conflict') return;
        const reason = !refusal
          ? 'the provider could not be reached'
          : refusal.type === REFUSAL.providerRefused
            ? `the provider refused the card: ${refusal.message}`
            : `the charge was refused (${refusal.type}): ${refusal.message}`;
        await steps.failChargeAttempt({ paymentId, attempt, reason: reason.slice(0, 500) });
        journal.enter('payment-failed-awaiting-retry');
      }
    };

    journal.enter('awaiting-payment');
    let seenFailures = 0;
    while (!captured) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      await condition(() => captured || failures > seenFailures || (attemptInFlight === undefined && requests.length > 0), remaining);
      if (captured || Date.now() >= deadline) break;
      if (failures > seenFailures) {
        seenFailures = failures;
        journal.enter('payment-failed-awaiting-retry');
      }
      const request = attemptInFlight === undefined ? requests.shift() : undefined;
      if (request) {
        attemptInFlight = charging.run(() => attempt(request)).finally(() => void (attemptInFlight = undefined));
      }
    }

    // Captured or out of time, the next steps are the same: a capture and the window's timer that land
    // together may be seen in either order (live, after a crash, and in replay), so the payment's own
    // record decides. Closing the window keeps a captured payment paid and cancels any other.
    journal.enter('closing-payment-window');
    await settleAttemptInFlight();
    const { outcome } = await steps.closePaymentWindow(input.auctionId);
    if (outcome !== 'captured') {
      journal.enter('payment-window-elapsed');
      journal.enter('voiding-open-charges');
      await money.reconcileChargesAfterWindow(input.auctionId);
      compensations.clear();
      await steps.markAuctionUnpaid(input.auctionId);
      journal.enter('unpaid');
      return { outcome: 'unpaid', paymentId };
    }

    // Captured: the money is in; from here on nothing is undone by cancelling the payment.
    compensations.clear();
    const handOver = async (): Promise<PayingForWonItemResult> => {
      journal.enter('marking-paid');
      await steps.markAuctionPaid(input.auctionId);
      journal.enter('handing-over-to-fulfilment');
      if (recent || patched(FULFILMENT_SAGAS)) {
        const fulfilmentId = await startFulfilment({ ...input, paymentId });
        journal.know(input.fulfilment === 'delivery' ? 'deliveryId' : 'serviceId', fulfilmentId);
      } else {
        // Sagas that started before the fulfilment sagas existed hand over as they did then.
        await steps.requestFulfilment({
          auctionId: input.auctionId,
          kind: input.fulfilment,
          buyerId: input.winnerId,
          sellerId: input.sellerId,
          paymentId,
        });
      }
      journal.enter('completed');
      return { outcome: 'paid', paymentId };
    };
    // A cancellation past this point must not leave the buyer's money taken and the item nowhere: the
    // hand-over finishes, and the saga completes paid. Sagas that passed here before kept their old path.
    if (recent || patched(HAND_OVER_DESPITE_CANCELLATION)) return await CancellationScope.nonCancellable(handOver);
    return await handOver();
  } catch (error) {
    if (isCancellation(error)) {
      journal.enter('cancelled-compensating');
      await compensations.run();
      await CancellationScope.nonCancellable(() => steps.markAuctionUnpaid(input.auctionId).catch(() => undefined));
    }
    throw error;
  }
}
