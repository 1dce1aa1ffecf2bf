import type pg from 'pg';
import { z } from 'zod';
import { CURRENCIES, type Currency } from '../src/kernel/money.ts';
import type { PaymentProvider } from '../src/payments/payment-provider.ts';
import { cancelPaymentOfAuction, chargePayment, refundPayment, startPayment } from '../src/payments/use-cases.ts';

const StartPaymentInput = z.object({
  auctionId: z.string().uuid(),
  payerId: z.string().min(1),
  payeeId: z.string().min(1),
  amount: z.object({ amount: z.string(), currency: z.enum(CURRENCIES as [Currency, ...Currency[]]) }),
  title: z.string(),
});
const ChargeInput = z.object({ paymentId: z.string().uuid(), attempt: z.number().int().positive(), cardToken: z.string().min(1) });

/** Activities of the payments context; each is idempotent (keyed by auction, or payment and attempt). */
export function createPaymentActivities(deps: { pool: pg.Pool; provider: PaymentProvider }) {
  return {
    startPayment: (input: z.input<typeof StartPaymentInput>) => startPayment(deps.pool, StartPaymentInput.parse(input)),
    chargePayment: (input: z.input<typeof ChargeInput>) => chargePayment(deps.pool, deps.provider, ChargeInput.parse(input)),
    cancelPaymentOfAuction: (auctionId: string) => cancelPaymentOfAuction(deps.pool, z.string().uuid().parse(auctionId)),
    refundPayment: (paymentId: string) => refundPayment(deps.pool, deps.provider, z.string().uuid().parse(paymentId)),
  };
}

export type PaymentActivities = ReturnType<typeof createPaymentActivities>;
