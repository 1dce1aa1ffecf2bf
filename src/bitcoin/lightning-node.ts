import { z } from 'zod';
import { callJson, HttpCallError, joinUrl } from '../platform/http/json-client.ts';

/**
 * The lightning node as the bitcoin context sees it. Paying is keyed by the invoice's
 * payment hash on the node, so paying again (a retried activity) never pays twice; the
 * result arrives as a webhook, and `paymentStatus` answers when the saga stops waiting.
 */
export type LightningPaymentStatus = 'pending' | 'succeeded' | 'failed';

export interface LightningNode {
  payInvoice(request: { invoice: string; withdrawalId: string }): Promise<{ paymentHash: string; status: LightningPaymentStatus }>;
  /** `unknown`: the node has no payment with this hash (it was never sent). */
  paymentStatus(paymentHash: string): Promise<LightningPaymentStatus | 'unknown'>;
}

const Status = z.enum(['pending', 'succeeded', 'failed']);
const PaymentAnswer = z.object({ paymentHash: z.string().regex(/^[0-9a-f]{64}$/), status: Status });

/** The node over HTTP (the simulator's API). Non-2xx answers throw `HttpCallError`. */
export class HttpLightningNode implements LightningNode {
  constructor(private readonly baseUrl: string) {}

  async payInvoice(request: { invoice: string; withdrawalId: string }): Promise<{ paymentHash: string; status: LightningPaymentStatus }> {
    const { paymentHash, status } = await callJson({
      method: 'POST',
      url: joinUrl(this.baseUrl, '/payments'),
      body: { invoice: request.invoice, withdrawalId: request.withdrawalId },
      response: PaymentAnswer,
      what: 'lightning node POST /payments',
    });
    return { paymentHash, status };
  }

  async paymentStatus(paymentHash: string): Promise<LightningPaymentStatus | 'unknown'> {
    try {
      const { status } = await callJson({
        method: 'GET',
        url: joinUrl(this.baseUrl, `/payments/${encodeURIComponent(paymentHash)}`),
        response: PaymentAnswer,
        what: 'lightning node GET /payments/:paymentHash',
      });
      return status;
    } catch (error) {
      if (error instanceof HttpCallError && error.status === 404) return 'unknown';
      throw error;
    }
  }
}
