import { Hono } from 'hono';
import { z } from 'zod';
import { fail, readBody, simulator, webhookSenderFor, type Simulator, type SimulatorOptions } from './simulator.ts';

/**
 * A parcel carrier. Booking returns a tracking number (once per delivery id and
 * direction: the parcel out to the buyer, and its return to the seller); a booking not
 * yet shipped can be cancelled (409 afterwards, and a cancelled one sends no more
 * events); what
 * happens to the parcel afterwards is driven from outside through
 * `POST /shipments/:trackingNumber/events`, which makes the carrier send that
 * `package.*` webhook, as a test or a demo chooses.
 */
export const PACKAGE_EVENTS = ['package.shipped', 'package.delivered', 'package.returned', 'package.lost'] as const;
export type PackageEvent = (typeof PACKAGE_EVENTS)[number];

export type ShipmentStatus = 'booked' | 'shipped' | 'delivered' | 'returned' | 'lost' | 'cancelled';
export type ShipmentDirection = 'outbound' | 'return';

export interface Shipment {
  trackingNumber: string;
  deliveryId: string;
  direction: ShipmentDirection;
  address: string;
  status: ShipmentStatus;
  createdAt: string;
  /** Every event the carrier reported, in order, with the webhook event id that carried it. */
  events: { type: PackageEvent; eventId: string }[];
}

const BookingBody = z.object({
  deliveryId: z.string().min(1).max(255),
  address: z.string().min(1).max(1000),
  direction: z.enum(['outbound', 'return']).default('outbound'),
});

const EventBody = z.object({ type: z.enum(PACKAGE_EVENTS) });

export function createCarrierSimulator(options: SimulatorOptions): Simulator {
  const now = options.now ?? Date.now;
  const webhooks = webhookSenderFor(options);
  const shipments = new Map<string, Shipment>();
  const byDelivery = new Map<string, Shipment>();
  const app = new Hono();

  app.post('/shipments', async (c) => {
    const body = await readBody(c, BookingBody);
    if (!body.ok) return body.response;
    // Booking is keyed by the delivery id and direction, so a retried booking never ships a second parcel.
    const key = `${body.value.direction}:${body.value.deliveryId}`;
    const existing = byDelivery.get(key);
    if (existing) return c.json(existing, 200);
    const shipment: Shipment = {
      trackingNumber: newTrackingNumber(),
      deliveryId: body.value.deliveryId,
      direction: body.value.direction,
      address: body.value.address,
      status: 'booked',
      createdAt: new Date(now()).toISOString(),
      events: [],
    };
    shipments.set(shipment.trackingNumber, shipment);
    byDelivery.set(key, shipment);
    return c.json(shipment, 201);
  });

  app.post('/shipments/:trackingNumber/cancel', (c) => {
    const shipment = shipments.get(c.req.param('trackingNumber'));
    if (!shipment) return fail(c, 404, `no shipment ${c.req.param('trackingNumber')}`);
    // Once the carrier has reported anything (even a report whose webhook is still on its way), the parcel has moved.
    if (shipment.status !== 'cancelled' && (shipment.status !== 'booked' || shipment.events.length > 0)) {
      return fail(c, 409, `shipment ${shipment.trackingNumber} is ${shipment.status}; only a booked shipment can be cancelled`);
    }
    shipment.status = 'cancelled';
    return c.json(shipment, 200);
  });

  app.post('/shipments/:trackingNumber/events', async (c) => {
    const shipment = shipments.get(c.req.param('trackingNumber'));
    if (!shipment) return fail(c, 404, `no shipment ${c.req.param('trackingNumber')}`);
    if (shipment.status === 'cancelled') return fail(c, 409, `shipment ${shipment.trackingNumber} was cancelled`);
    const body = await readBody(c, EventBody);
    if (!body.ok) return body.response;
    const { type } = body.value;
    // Any order is allowed on purpose: tests use it to play out late, repeated or odd reports.
    const [eventId] = webhooks.send({
      type,
      data: { deliveryId: shipment.deliveryId, trackingNumber: shipment.trackingNumber },
      happen: () => void (shipment.status = statusAfter(type)),
    });
    shipment.events.push({ type, eventId: eventId! });
    return c.json({ eventId, type, trackingNumber: shipment.trackingNumber, deliveryId: shipment.deliveryId }, 202);
  });

  app.get('/shipments', (c) => {
    const deliveryId = c.req.query('deliveryId');
    const found = [...shipments.values()].filter((shipment) => deliveryId === undefined || shipment.deliveryId === deliveryId);
    return c.json({ shipments: found });
  });

  app.get('/shipments/:trackingNumber', (c) => {
    const shipment = shipments.get(c.req.param('trackingNumber'));
    return shipment ? c.json(shipment) : fail(c, 404, `no shipment ${c.req.param('trackingNumber')}`);
  });

  return simulator(app, webhooks);
}

function statusAfter(event: PackageEvent): ShipmentStatus {
  return event.slice('package.'.length) as ShipmentStatus;
}

function newTrackingNumber(): string {
  return `TRK${crypto.randomUUID().replaceAll('-', '').slice(0, 16).toUpperCase()}`;
}
