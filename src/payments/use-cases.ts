import type pg from 'pg';
import { Forbidden, NotFound } from '../kernel/errors.ts';
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
  input: { auctionId: string; payerId: string; payeeId: string; amount: MoneyJson; title: string },
): Promise<{ paymentId: string }> {
  return retryOnConflict(() =>
    runInUnitOfWork(pool, async (uow) => {
      const existing = await findPaymentOfAuction(uow, input.auctionId);
      if (existing) return { paymentId: existing.id };
      const payment = Payment.start({ id: newId(), ...input, amount: Money.fromJSON(input.amount) });
      addPayment(uow, payment);
      return { paymentId: payment.id };
    }),
  );
}

/** The payer's request to charge a card; the saga performs the charge. Returns the attempt number. */
export async function requestCharge(
  pool: pg.Pool,
  input: { paymentId: string; payerId: string },
): Promise<{ attempt: number; auctionId: string }> {
  return retryOnConflict(() =>
    withPayment(pool, input.paymentId, async (payment) => ({
      attempt: payment.requestCharge(input.payerId),
      auctionId: payment.state.auctionId,
    })),
  );
}

/**
 * Charges the card at the provider. The idempotency key names the payment and the
 * attempt, so however often Temporal runs this activity, the provider charges once.
 */
export async function chargePayment(
  pool: pg.Pool,
  provider: PaymentProvider,
  input: { paymentId: string; attempt: number; cardToken: string },
): Promise<{ chargeId: string }> {
  const payment = await runInUnitOfWork(pool, async (uow) => {
    const found = await findPayment(uow, input.paymentId);
    if (!found) throw new NotFound(`no payment ${input.paymentId}`);
    return found;
  });
  return provider.charge({
    paymentId: payment.id,
    amount: payment.state.amount,
    cardToken: input.cardToken,
    idempotencyKey: `payment-${payment.id}-attempt-${input.attempt}`,
  });
}

/** Undo of starting a payment: cancels it if it exists and was not captured. Idempotent. */
export async function cancelPaymentOfAuction(pool: pg.Pool, auctionId: string): Promise<void> {
  await retryOnConflict(() =>
    runInUnitOfWork(pool, async (uow) => {
      const payment = await findPaymentOfAuction(uow, auctionId);
      if (payment && payment.state.status !== 'captured' && payment.state.status !== 'refunded') payment.cancel();
    }),
  );
}

/** Provider webhook outcomes, applied in the webhook's own unit of work. Returns the auction to signal. */
export async function applyProviderEvent(
  uow: UnitOfWork,
  event: { type: 'charged' | 'captured' | 'failed' | 'refunded'; paymentId: string; providerChargeId: string; reason?: string },
): Promise<{ auctionId: string }> {
  const payment = await findPayment(uow, event.paymentId);
  if (!payment) throw new NotFound(`no payment ${event.paymentId}`);
  if (event.type === 'charged') payment.markCharged(event.providerChargeId);
  if (event.type === 'captured') payment.markCaptured(event.providerChargeId);
  if (event.type === 'failed') payment.markFailed(event.reason ?? 'declined');
  if (event.type === 'refunded') payment.markRefunded();
  return { auctionId: payment.state.auctionId };
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
 * Refunds a captured payment at the provider, once: the idempotency key names the
 * payment, so retries and repeats get the first refund back. The provider's
 * `payment.refunded` webhook then marks the payment refunded.
 */
export async function refundPayment(pool: pg.Pool, provider: PaymentProvider, paymentId: string): Promise<{ refundId: string }> {
  const payment = await withPayment(pool, paymentId, async (p) => p);
  if (!payment.state.providerChargeId) throw new NotFound(`payment ${paymentId} has no charge to refund`);
  return provider.refund({ chargeId: payment.state.providerChargeId, idempotencyKey: `refund-${paymentId}` });
}
