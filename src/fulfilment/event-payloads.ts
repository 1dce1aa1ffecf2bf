import { z } from 'zod';
import { eventPayload, type OutboxPayloadSchemas } from '../platform/bus/event-handlers.ts';
import type { DeliveryEvent, ServiceEvent } from './domain.ts';

const buyer = { buyerId: z.string().min(1), title: z.string() };
const buyerAndSeller = { ...buyer, sellerId: z.string().min(1) };

/**
 * The outbox payloads of the delivery events other code consumes, one schema each; the
 * `satisfies` ties every schema to its event in `DeliveryEvent`, so the two cannot drift.
 */
export const deliveryEventPayloads = {
  // The tracking number is empty on a PackageShipped whose delivery was never booked.
  ShipmentBooked: eventPayload({ ...buyer, trackingNumber: z.string() }),
  PackageShipped: eventPayload({ ...buyer, trackingNumber: z.string() }),
  PackageDelivered: eventPayload(buyerAndSeller),
  DeliveryDeadlineMissed: eventPayload({ ...buyerAndSeller, stage: z.enum(['shipping', 'delivery']) }),
  PackageReturned: eventPayload(buyerAndSeller),
  PackageLost: eventPayload(buyerAndSeller),
} satisfies OutboxPayloadSchemas<DeliveryEvent>;

/** The same for the service (e-voucher) events; a voucher's code is never in its event. */
export const serviceEventPayloads = {
  VoucherIssued: eventPayload({
    ...buyerAndSeller,
    auctionId: z.string().min(1),
    paymentId: z.string().min(1),
  }),
} satisfies OutboxPayloadSchemas<ServiceEvent>;
