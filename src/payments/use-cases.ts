import type pg from 'pg';
import type { Clock } from '../kernel/clock.ts';
import { Conflict, Forbidden, NotFound } from '../kernel/errors.ts';
import { newId } from '../kernel/ids.ts';
import { Money, type MoneyJson } from '../kernel/money.ts';
import { retryOnConflict } from '../platform/db/retry-on-conflict.ts';
import { runInUnitOfWork, type UnitOfWork } from '../platform/db/unit-of-work.ts';
import { Payment } from './domain.ts';
import type { PaymentProvider } from './payment-provider.ts';
import { addPayment, findPayment, findPaymentOfAuction } from './repository.ts';

/** Opens the payment for a won auction, once: a retried activity finds the one it made. */
export async function startPayment(
  pool: pg.Pool,
  input: { auctionId: string; payerId: string; payeeId: string; amount: MoneyJson; title: string; payableUntil: string },
): Promise<{ paymentId: string }> {
  return retryOnConflict(() =>
    runInUnitOfWork(pool, async (uow) => {
      const existing = await findPaymentOfAuction(uow, input.auctionId);
      if (existing) return { paymentId: existing.id };
      const payment = Payment.start({
        id: newId(),
        ...input,
        amount: Money.fromJSON(input.amount),
        payableUntil: new Date(input.payableUntil),
      });
      addPayment(uow, payment);
      return { paymentId: payment.id };
    }),
  );
}

/**
 * The payer's request to charge a card; the saga performs the charge. One attempt at a
 * time: concurrent requests race on the payment's version, and the losers, re-reading,
 * find it `charging` (409). Returns the attempt number.
 */
export async function requestCharge(
  deps: { pool: pg.Pool; clock: Clock; maxAttempts: number },
  input: { paymentId: string; payerId: string },
): Promise<{ attempt: number; auctionId: string }> {
  return retryOnConflict(() =>
    withPayment(deps.pool, input.paymentId, async (payment) => ({
      attempt: payment.requestCharge(input.payerId, deps.clock.now(), deps.maxAttempts),
      auctionId: payment.state.auctionId,
    })),
  );
}

/**
 * Charges the card at the provider for the attempt in flight, and for no other: an
 * attempt already decided or a payment whose window closed is refused (`Conflict`). The
 * idempotency key names the payment and the attempt, so however often Temporal runs this
 * activity, the provider charges once. A refused card is the provider's 4xx.
 */
export async function chargePayment(
  pool: pg.Pool,
  provider: PaymentProvider,
  input: { paymentId: string; attempt: number; cardToken: string },
): Promise<{ chargeId: string }> {
  const payment = await withPayment(pool, input.paymentId, async (p) => {
    p.assertAttemptInFlight(input.attempt);
    return p;
  });
  return provider.charge({
    paymentId: payment.id,
    amount: payment.state.amount,
    cardToken: input.cardToken,
    idempotencyKey: `payment-${payment.id}-attempt-${input.attempt}`,
  });
}

/** The provider refused the attempt outright: it failed (the payer is e-mailed and may retry). Idempotent. */
export async function failChargeAttempt(pool: pg.Pool, input: { paymentId: string; attempt: number; reason: string }): Promise<void> {
  await retryOnConflict(() => withPayment(pool, input.paymentId, async (p) => p.failAttempt(input.attempt, input.reason)));
}

/**
 * The payment window's end (or the saga's cancellation): cancels the auction's payment
 * unless the provider's capture was recorded first, in which case it stays paid. From
 * here on no attempt is charged. `none` when the saga never got to open a payment.
 */
export async function closePaymentWindow(pool: pg.Pool, auctionId: string): Promise<{ outcome: 'captured' | 'cancelled' | 'none' }> {
  return retryOnConflict(() =>
    runInUnitOfWork(pool, async (uow) => {
      const payment = await findPaymentOfAuction(uow, auctionId);
      return { outcome: payment ? payment.closeWindow() : 'none' };
    }),
  );
}

/**
 * After the window closed, the provider's list of the payment's charges is reconciled
 * with our record, because the provider's record is the other half of the truth and a
 * webhook may never come: every charge not captured yet is voided (a charge whose
 * answer we never heard included), and every capture we never heard of is recorded now,
 * as the late capture it is, which refunds it once (UnwantedCaptureRecorded). A charge
 * captured between the list and the void cannot be voided; its webhook records it.
 */
export async function reconcileChargesAfterWindow(
  pool: pg.Pool,
  provider: PaymentProvider,
  auctionId: string,
): Promise<{ voided: string[]; capturesFound: string[] }> {
  const payment = await runInUnitOfWork(pool, (uow) => findPaymentOfAuction(uow, auctionId));
  if (!payment) return { voided: [], capturesFound: [] };
  if (payment.state.status !== 'cancelled' && payment.state.status !== 'refunded') {
    throw new Conflict(`payment ${payment.id} is ${payment.state.status}; only a cancelled payment's charges are reconciled`);
  }
  const voided: string[] = [];
  const capturesFound: string[] = [];
  for (const charge of await provider.listCharges(payment.id)) {
    if (charge.status === 'pending' || charge.status === 'charged') {
      if (await provider.voidCharge(charge.chargeId)) voided.push(charge.chargeId);
    } else if (charge.status === 'captured' && !payment.state.unwantedChargeIds.includes(charge.chargeId)) {
      await recordProviderFact(pool, { type: 'captured', paymentId: payment.id, providerChargeId: charge.chargeId, amount: charge.amount });
      capturesFound.push(charge.chargeId);
    }
  }
  return { voided, capturesFound };
}

/** A fact the provider told us in an answer (not a webhook), recorded as the webhook would record it; repeats change nothing. */
async function recordProviderFact(pool: pg.Pool, fact: ProviderEvent): Promise<void> {
  await retryOnConflict(() => runInUnitOfWork(pool, (uow) => applyProviderEvent(uow, fact)));
}

export type ProviderEvent =
  | { type: 'charged'; paymentId: string; providerChargeId: string }
  | { type: 'captured'; paymentId: string; providerChargeId: string; amount?: Money }
  | { type: 'failed'; paymentId: string; providerChargeId: string; reason?: string }
  | { type: 'refunded'; paymentId: string; providerChargeId: string; refundId: string; amount: Money };

/**
 * Provider webhook outcomes, applied in the webhook's own unit of work. A fact is never
 * refused because the payment moved on: a late capture becomes an unwanted capture (to
 * be refunded), a late failure changes nothing. Returns the auction, and what the saga
 * should hear: only a capture the payment kept, or the failure of the attempt in flight.
 */
export async function applyProviderEvent(
  uow: UnitOfWork,
  event: ProviderEvent,
): Promise<{ auctionId: string; tellSaga?: 'captured' | 'failed' }> {
  const payment = await findPayment(uow, event.paymentId);
  if (!payment) throw new NotFound(`no payment ${event.paymentId}`);
  const before = payment.version;
  switch (event.type) {
    case 'charged':
      payment.markCharged(event.providerChargeId);
      break;
    case 'captured':
      payment.markCaptured(event.providerChargeId, event.amount ?? payment.state.amount);
      break;
    case 'failed':
      payment.markFailed(event.providerChargeId, event.reason ?? 'declined');
      break;
    case 'refunded':
      payment.markRefunded(event.providerChargeId, event.refundId, event.amount);
      break;
  }
  const { auctionId, status, providerChargeId } = payment.state;
  const changed = payment.version !== before;
  if (changed && event.type === 'captured' && status === 'captured' && providerChargeId === event.providerChargeId) {
    return { auctionId, tellSaga: 'captured' };
  }
  if (changed && event.type === 'failed' && status === 'failed') return { auctionId, tellSaga: 'failed' };
  return { auctionId };
}

/** Only the payer and the payee may see a payment. */
export function assertPaymentParty(payment: { payerId: string; payeeId: string }, customerId: string): void {
  if (customerId !== payment.payerId && customerId !== payment.payeeId) throw new Forbidden('not your payment');
}

async function withPayment<T>(pool: pg.Pool, paymentId: string, change: (payment: Payment) => Promise<T>): Promise<T> {
  return runInUnitOfWork(pool, async (uow) => {
    const payment = await findPayment(uow, paymentId);
    if (!payment) throw new NotFound(`no payment ${paymentId}`);
    return change(payment);
  });
}

/**
 * Refunds the charge that paid for the item, in full or `part` of it (an expired
 * voucher), once: the idempotency key names the payment, so retries and repeats get the
 * first refund back (an order ends one way only, so it is refunded at most once). The
 * provider's answer marks the payment refunded at once; its `payment.refunded` webhook
 * is then a repeat.
 */
export async function refundPayment(
  pool: pg.Pool,
  provider: PaymentProvider,
  paymentId: string,
  part?: Money,
): Promise<{ refundId: string }> {
  const payment = await withPayment(pool, paymentId, async (p) => p);
  const chargeId = payment.state.providerChargeId;
  if (!chargeId) throw new NotFound(`payment ${paymentId} has no charge to refund`);
  const { refundId, amount } = await provider.refund({
    chargeId,
    ...(part ? { amount: part } : {}),
    idempotencyKey: `refund-${paymentId}`,
  });
  await recordProviderFact(pool, { type: 'refunded', paymentId, providerChargeId: chargeId, refundId, amount });
  return { refundId };
}

/**
 * Refunds a capture the payment did not keep (it came after the window, or was a second
 * charge), once: keyed by the charge. Refused for a charge the payment does not list as
 * unwanted, so this can never give back the money that paid for an item.
 */
export async function refundUnwantedCapture(
  pool: pg.Pool,
  provider: PaymentProvider,
  input: { paymentId: string; providerChargeId: string },
): Promise<{ refundId: string }> {
  const payment = await withPayment(pool, input.paymentId, async (p) => p);
  if (!payment.state.unwantedChargeIds.includes(input.providerChargeId)) {
    throw new Conflict(`charge ${input.providerChargeId} is not an unwanted capture of payment ${input.paymentId}`);
  }
  const { refundId, amount } = await provider.refund({
    chargeId: input.providerChargeId,
    idempotencyKey: `refund-${input.providerChargeId}`,
  });
  await recordProviderFact(pool, {
    type: 'refunded',
    paymentId: input.paymentId,
    providerChargeId: input.providerChargeId,
    refundId,
    amount,
  });
  return { refundId };
}
