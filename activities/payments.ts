import type pg from 'pg';
import { z } from 'zod';
import { CURRENCIES, Money, type Currency, type MoneyJson } from '../src/kernel/money.ts';
import type { PaymentProvider } from '../src/payments/payment-provider.ts';
import {
  chargePayment,
  closePaymentWindow,
  failChargeAttempt,
  refundPayment,
  refundUnwantedCapture,
  startPayment,
  reconcileChargesAfterWindow,
} from '../src/payments/use-cases.ts';

const StartPaymentInput = z.object({
  auctionId: z.string().uuid(),
  payerId: z.string().min(1),
  payeeId: z.string().min(1),
  amount: z.object({ amount: z.string(), currency: z.enum(CURRENCIES as [Currency, ...Currency[]]) }),
  title: z.string(),
  payableUntil: z.string().datetime(),
});
const ChargeInput = z.object({ paymentId: z.string().uuid(), attempt: z.number().int().positive(), cardToken: z.string().min(1) });
const FailedAttempt = z.object({ paymentId: z.string().uuid(), attempt: z.number().int().positive(), reason: z.string().min(1).max(500) });
const UnwantedCapture = z.object({ paymentId: z.string().uuid(), providerChargeId: z.string().min(1).max(255) });
const Id = z.string().uuid();
const MoneyInput = z.object({ amount: z.string(), currency: z.enum(CURRENCIES as [Currency, ...Currency[]]) });

/** Activities of the payments context; each is idempotent (keyed by auction, payment and attempt, or charge). */
export function createPaymentActivities(deps: { pool: pg.Pool; provider: PaymentProvider }) {
  const { pool, provider } = deps;
  return {
    startPayment: (input: z.input<typeof StartPaymentInput>) => startPayment(pool, StartPaymentInput.parse(input)),
    chargePayment: (input: z.input<typeof ChargeInput>) => chargePayment(pool, provider, ChargeInput.parse(input)),
    failChargeAttempt: (input: z.input<typeof FailedAttempt>) => failChargeAttempt(pool, FailedAttempt.parse(input)),
    closePaymentWindow: (auctionId: string) => closePaymentWindow(pool, Id.parse(auctionId)),
    reconcileChargesAfterWindow: (auctionId: string) => reconcileChargesAfterWindow(pool, provider, Id.parse(auctionId)),
    /** The whole payment, or `part` of it (an expired voucher's 90%). */
    refundPayment: (paymentId: string, part?: MoneyJson) =>
      refundPayment(pool, provider, Id.parse(paymentId), part === undefined ? undefined : Money.fromJSON(MoneyInput.parse(part))),
    refundUnwantedCapture: (input: z.input<typeof UnwantedCapture>) => refundUnwantedCapture(pool, provider, UnwantedCapture.parse(input)),
  };
}

export type PaymentActivities = ReturnType<typeof createPaymentActivities>;
