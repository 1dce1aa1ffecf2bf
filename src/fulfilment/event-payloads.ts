import { z } from 'zod';
import { eventPayload, type OutboxPayloadSchemas } from '../platform/bus/event-handlers.ts';
import type { DeliveryEvent, ServiceEvent } from './domain.ts';

const told = { buyerId: z.string().min(1), sellerId: z.string().min(1), title: z.string() };
/** The actor, defaulted for the events written before they carried one (still in the outbox at the upgrade). */
const by = <const A extends readonly [string, ...string[]]>(...actors: A) => ({ ...told, actor: z.enum(actors).default(actors[0]) });
const anyActor = by('buyer', 'seller', 'carrier', 'timer', 'platform');

/**
 * The outbox payloads of the delivery events other code consumes, one schema each; the
 * `satisfies` ties every schema to its event in `DeliveryEvent`, so the two cannot drift.
 */
export const deliveryEventPayloads = {
  OrderAccepted: eventPayload(by('seller')),
  OrderRejected: eventPayload({ ...by('seller', 'timer'), reason: z.string() }),
  OrderCancelled: eventPayload(by('buyer')),
  CancellationTooLate: eventPayload(by('carrier')),
  // The tracking number is empty on a PackageShipped whose delivery was never booked.
  ShipmentBooked: eventPayload({ ...anyActor, trackingNumber: z.string() }),
  PackageShipped: eventPayload({ ...by('carrier'), trackingNumber: z.string() }),
  PackageDelivered: eventPayload(by('carrier')),
  DeliveryDeadlineMissed: eventPayload({ ...by('timer'), stage: z.enum(['shipping', 'delivery']) }),
  ConfirmationReminderSent: eventPayload(by('timer')),
  DeliveryConfirmed: eventPayload({ ...by('buyer', 'timer'), returnLapsed: z.boolean() }),
  ReturnRequested: eventPayload({ ...by('buyer'), reason: z.string() }),
  ReturnBooked: eventPayload({ ...anyActor, returnTrackingNumber: z.string() }),
  PackageReturned: eventPayload(by('carrier', 'timer')),
  PackageLost: eventPayload(by('carrier', 'timer')),
} satisfies OutboxPayloadSchemas<DeliveryEvent>;

/** The same for the service (e-voucher) events; a voucher's code is never in its event. */
export const serviceEventPayloads = {
  VoucherIssued: eventPayload({ ...anyActor, auctionId: z.string().min(1), paymentId: z.string().min(1) }),
  VoucherRedeemed: eventPayload(by('buyer')),
  VoucherCancelled: eventPayload(by('buyer')),
  VoucherExpired: eventPayload(by('timer')),
} satisfies OutboxPayloadSchemas<ServiceEvent>;
