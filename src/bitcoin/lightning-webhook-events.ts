import { z } from 'zod';
import { parseWebhookEvent, webhookEventOf } from '../platform/http/webhook-events.ts';
import type { WebhookEvent } from '../platform/http/webhooks.ts';

const PaymentHash = z.string().regex(/^[0-9a-f]{64}$/);

/** 21 million bitcoin in satoshis: no payment can be larger, and every smaller count is an exact JS number. */
const MAX_SATS = 2_100_000_000_000_000;

/** A lightning payment's outcome names the withdrawal it pays and the invoice's payment hash. */
const PaymentOutcomeData = z.object({
  withdrawalId: z.string().uuid(),
  paymentHash: PaymentHash,
  reason: z.string().optional(),
});

/** Someone paid one of our node's invoices: which one, and how many satoshis arrived. */
const InvoicePaidData = z.object({
  paymentHash: PaymentHash,
  amountSats: z.number().int().positive().max(MAX_SATS),
});

/**
 * The lightning node's webhook events we act on, each with its `data`: the outcomes of
 * the payments we made (withdrawals) and the payments of our own invoices (deposits).
 * Other types are facts we do not use: `parseLightningWebhookEvent` calls them unknown,
 * and the receiver acknowledges them.
 */
export const LightningWebhookEvent = z.discriminatedUnion('type', [
  webhookEventOf('payment.succeeded', PaymentOutcomeData),
  webhookEventOf('payment.failed', PaymentOutcomeData),
  webhookEventOf('invoice.paid', InvoicePaidData),
]);
export type LightningWebhookEvent = z.infer<typeof LightningWebhookEvent>;
export type LightningPaymentOutcomeEvent = Extract<LightningWebhookEvent, { type: 'payment.succeeded' | 'payment.failed' }>;
export type InvoicePaidEvent = Extract<LightningWebhookEvent, { type: 'invoice.paid' }>;

/** The typed event, or `undefined` for a type we do not use; data that does not fit is a 400 naming the field. */
export function parseLightningWebhookEvent(event: WebhookEvent): LightningWebhookEvent | undefined {
  return parseWebhookEvent(LightningWebhookEvent, event, 'lightning');
}
