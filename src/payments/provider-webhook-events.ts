import { z } from 'zod';
import { MoneySchema } from '../platform/http/schemas.ts';
import { parseWebhookEvent, webhookEventOf } from '../platform/http/webhook-events.ts';
import type { WebhookEvent } from '../platform/http/webhooks.ts';

/** What every event of a charge names: our payment and the provider's charge. */
const ChargeFact = z.object({ paymentId: z.string().uuid(), providerChargeId: z.string().min(1).max(255) });

/**
 * The payment provider's webhook events we act on, each with its `data`. Other types
 * are facts we do not use: `parseProviderWebhookEvent` calls them unknown, and the
 * receiver acknowledges them.
 */
export const ProviderWebhookEvent = z.discriminatedUnion('type', [
  webhookEventOf('payment.charged', ChargeFact),
  webhookEventOf('payment.captured', ChargeFact.extend({ amount: MoneySchema.optional() })),
  webhookEventOf('payment.failed', ChargeFact.extend({ reason: z.string().max(500).optional() })),
  webhookEventOf('payment.refunded', ChargeFact.extend({ refundId: z.string().min(1).max(255), amount: MoneySchema })),
]);
export type ProviderWebhookEvent = z.infer<typeof ProviderWebhookEvent>;

/** The typed event, or `undefined` for a type we do not use; data that does not fit is a 400 naming the field. */
export function parseProviderWebhookEvent(event: WebhookEvent): ProviderWebhookEvent | undefined {
  return parseWebhookEvent(ProviderWebhookEvent, event, 'payment');
}
