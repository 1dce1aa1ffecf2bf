import { z } from 'zod';
import type { Money } from '../kernel/money.ts';
import { callJson, joinUrl } from '../platform/http/json-client.ts';

/**
 * The payment provider as the payments context sees it. Both calls carry an
 * idempotency key, so an activity that Temporal runs twice charges or refunds once.
 * Outcomes (charged, captured, failed, refunded) arrive later as webhooks.
 */
export interface PaymentProvider {
  charge(request: { paymentId: string; amount: Money; cardToken: string; idempotencyKey: string }): Promise<{ chargeId: string }>;
  refund(request: { chargeId: string; idempotencyKey: string }): Promise<{ refundId: string }>;
}

const ChargeAnswer = z.object({ chargeId: z.string().min(1) });
const RefundAnswer = z.object({ refundId: z.string().min(1) });

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

  async refund(request: { chargeId: string; idempotencyKey: string }): Promise<{ refundId: string }> {
    const { refundId } = await callJson({
      method: 'POST',
      url: joinUrl(this.baseUrl, `/charges/${encodeURIComponent(request.chargeId)}/refunds`),
      headers: { 'idempotency-key': request.idempotencyKey },
      body: {},
      response: RefundAnswer,
      what: 'payment provider POST /charges/:chargeId/refunds',
    });
    return { refundId };
  }
}
