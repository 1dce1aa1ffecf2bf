import { z } from 'zod';
import { callJson, HttpCallError, joinUrl } from '../platform/http/json-client.ts';

/**
 * The lightning node as the bitcoin context sees it. Paying is keyed by the invoice's
 * payment hash on the node, so paying again (a retried activity) never pays twice; the
 * result arrives as a webhook, and `paymentStatus` answers when the saga stops waiting.
 * `createInvoice` asks the node for an invoice someone outside pays us (a deposit); the
 * node reports that payment with `invoice.paid`.
 */
export type LightningPaymentStatus = 'pending' | 'succeeded' | 'failed';

export interface IssuedInvoice {
  /** The BOLT11 string to show the payer. */
  invoice: string;
  paymentHash: string;
  expiresAt: Date;
}

export interface LightningNode {
  payInvoice(request: { invoice: string; withdrawalId: string }): Promise<{ paymentHash: string; status: LightningPaymentStatus }>;
  /** `unknown`: the node has no payment with this hash (it was never sent). */
  paymentStatus(paymentHash: string): Promise<LightningPaymentStatus | 'unknown'>;
  createInvoice(request: { amountSats: number; memo?: string; expirySeconds?: number }): Promise<IssuedInvoice>;
}

const PaymentHash = z.string().regex(/^[0-9a-f]{64}$/);
const Status = z.enum(['pending', 'succeeded', 'failed']);
const PaymentAnswer = z.object({ paymentHash: PaymentHash, status: Status });
const InvoiceAnswer = z.object({
  invoice: z.string().min(1).max(7089),
  paymentHash: PaymentHash,
  expiresAt: z.iso.datetime({ offset: true }),
});

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

  async createInvoice(request: { amountSats: number; memo?: string; expirySeconds?: number }): Promise<IssuedInvoice> {
    const { invoice, paymentHash, expiresAt } = await callJson({
      method: 'POST',
      url: joinUrl(this.baseUrl, '/invoices'),
      body: request,
      response: InvoiceAnswer,
      what: 'lightning node POST /invoices',
    });
    return { invoice, paymentHash, expiresAt: new Date(expiresAt) };
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
