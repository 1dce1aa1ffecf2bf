import { z } from 'zod';
import { parseWebhookEvent, webhookEventOf } from '../platform/http/webhook-events.ts';
import type { WebhookEvent } from '../platform/http/webhooks.ts';

/** Every package event names our delivery and the carrier's tracking number. */
const PackageData = z.object({ deliveryId: z.string().uuid(), trackingNumber: z.string().min(1) });

/**
 * The carrier's webhook events we act on, each with its `data`. Other types are facts we
 * do not use: `parseCarrierWebhookEvent` calls them unknown, and the receiver acknowledges them.
 */
export const CarrierWebhookEvent = z.discriminatedUnion('type', [
  webhookEventOf('package.shipped', PackageData),
  webhookEventOf('package.delivered', PackageData),
  webhookEventOf('package.returned', PackageData),
  webhookEventOf('package.lost', PackageData),
]);
export type CarrierWebhookEvent = z.infer<typeof CarrierWebhookEvent>;

/** The typed event, or `undefined` for a type we do not use; data that does not fit is a 400 naming the field. */
export function parseCarrierWebhookEvent(event: WebhookEvent): CarrierWebhookEvent | undefined {
  return parseWebhookEvent(CarrierWebhookEvent, event, 'carrier');
}
