import { z } from 'zod';
import { parseWebhookEvent, webhookEventOf } from '../platform/http/webhook-events.ts';
import type { WebhookEvent } from '../platform/http/webhooks.ts';

/** A lightning payment's outcome names the withdrawal it pays and the invoice's payment hash. */
const PaymentOutcomeData = z.object({
  withdrawalId: z.string().uuid(),
  paymentHash: z.string().regex(/^[0-9a-f]{64}$/),
  reason: z.string().optional(),
});

/**
 * The lightning node's webhook events we act on, each with its `data`. Other types (the
 * node's `invoice.paid`, say) are facts we do not use: `parseLightningWebhookEvent` calls
 * them unknown, and the receiver acknowledges them.
 */
export const LightningWebhookEvent = z.discriminatedUnion('type', [
  webhookEventOf('payment.succeeded', PaymentOutcomeData),
  webhookEventOf('payment.failed', PaymentOutcomeData),
]);
export type LightningWebhookEvent = z.infer<typeof LightningWebhookEvent>;

/** The typed event, or `undefined` for a type we do not use; data that does not fit is a 400 naming the field. */
export function parseLightningWebhookEvent(event: WebhookEvent): LightningWebhookEvent | undefined {
  return parseWebhookEvent(LightningWebhookEvent, event, 'lightning');
}
