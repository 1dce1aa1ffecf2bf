import { z } from 'zod';
import { Money } from '../kernel/money.ts';
import { callJson, doneUnlessTooLate, joinUrl } from '../platform/http/json-client.ts';

/** What the provider says of one charge, as far as the payments context needs it. */
export type ProviderChargeStatus = 'pending' | 'charged' | 'captured' | 'failed' | 'cancelled' | 'refunded';

/**
 * The payment provider as the payments context sees it. Charges and refunds carry an
 * idempotency key, so an activity that Temporal runs twice charges or refunds once.
 * Outcomes (charged, captured, failed, refunded) arrive later as webhooks; a refund's
 * answer and the charge list are facts too, recorded without waiting for a webhook.
 */
export interface PaymentProvider {
  charge(request: { paymentId: string; amount: Money; cardToken: string; idempotencyKey: string }): Promise<{ chargeId: string }>;
  /** Refunds the whole charge, or `amount` of it (a partial refund). */
  refund(request: { chargeId: string; amount?: Money; idempotencyKey: string }): Promise<{ refundId: string; amount: Money }>;
  /** Every charge the provider holds for one of our payments: the truth to reconcile against. */
  listCharges(paymentId: string): Promise<{ chargeId: string; status: ProviderChargeStatus; amount: Money }[]>;
  /** Voids a charge not yet captured. `false` when it can no longer be voided (captured or finished meanwhile). */
  voidCharge(chargeId: string): Promise<boolean>;
}

const ChargeAnswer = z.object({ chargeId: z.string().min(1) });
const ProviderMoney = z.object({ amount: z.string(), currency: z.string() }).transform((m, ctx) => {
  try {
    return Money.fromJSON(m);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});
const RefundAnswer = z.object({ refundId: z.string().min(1), amount: ProviderMoney });
const ChargeList = z.object({
  charges: z.array(
    z.object({
      chargeId: z.string().min(1),
      status: z.enum(['pending', 'charged', 'captured', 'failed', 'cancelled', 'refunded']),
      amount: ProviderMoney,
    }),
  ),
});

/** The provider over HTTP (the simulator's API). Non-2xx answers throw `HttpCallError`. */
export class HttpPaymentProvider implements PaymentProvider {
  constructor(private readonly baseUrl: string) {}

  async charge(request: { paymentId: string; amount: Money; cardToken: string; idempotencyKey: string }): Promise<{ chargeId: string }> {
    const { chargeId } = await callJson({
      method: 'POST',
      url: joinUrl(this.baseUrl, '/charges'),
      headers: { 'idempotency-key': request.idempotencyKey },
      body: { paymentId: request.paymentId, amount: request.amount.toJSON(), cardToken: request.cardToken },
      response: ChargeAnswer,
      what: 'payment provider POST /charges',
    });
    return { chargeId };
  }

  async refund(request: { chargeId: string; amount?: Money; idempotencyKey: string }): Promise<{ refundId: string; amount: Money }> {
    const { refundId, amount } = await callJson({
      method: 'POST',
      url: joinUrl(this.baseUrl, `/charges/${encodeURIComponent(request.chargeId)}/refunds`),
      headers: { 'idempotency-key': request.idempotencyKey },
      body: request.amount ? { amount: request.amount.toJSON() } : {},
      response: RefundAnswer,
      what: 'payment provider POST /charges/:chargeId/refunds',
    });
    return { refundId, amount };
  }

  async listCharges(paymentId: string): Promise<{ chargeId: string; status: ProviderChargeStatus; amount: Money }[]> {
    const { charges } = await callJson({
      method: 'GET',
      url: joinUrl(this.baseUrl, `/charges?paymentId=${encodeURIComponent(paymentId)}`),
      response: ChargeList,
      what: 'payment provider GET /charges',
    });
    return charges.map(({ chargeId, status, amount }) => ({ chargeId, status, amount }));
  }

  voidCharge(chargeId: string): Promise<boolean> {
    return doneUnlessTooLate({
      method: 'POST',
      url: joinUrl(this.baseUrl, `/charges/${encodeURIComponent(chargeId)}/cancel`),
      body: {},
      what: 'payment provider POST /charges/:chargeId/cancel',
    });
  }
}
