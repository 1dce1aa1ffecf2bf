import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HttpCallError } from '../../src/platform/http/json-client.ts';
import { HttpCarrier } from '../../src/fulfilment/carrier.ts';
import { createCarrierSimulator, PACKAGE_EVENTS } from '../../src/simulators/carrier.ts';
import type { Simulator } from '../../src/simulators/simulator.ts';
import { startSimulator, type RunningSimulator } from '../../src/simulators/serve.ts';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.ts';

const SECRET = 'carrier-sim-secret-0123456789';
let receiver: WebhookReceiver;
let simulator: Simulator;
let server: RunningSimulator;
let carrier: HttpCarrier;

beforeAll(async () => {
  receiver = await startWebhookReceiver(SECRET);
  simulator = createCarrierSimulator({ webhookUrl: `${receiver.url}/webhooks/carrier`, webhookSecret: SECRET, webhookDelayMs: 5 });
  server = await startSimulator(simulator, 0);
  carrier = new HttpCarrier(server.url);
});
afterEach(async () => {
  await simulator.idle();
});
afterAll(async () => {
  await server.close();
  await receiver.close();
});

const eventsFor = (deliveryId: string) => receiver.received.filter((event) => event.data.deliveryId === deliveryId);

async function call(method: string, path: string, body?: unknown) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as any };
}

describe('carrier simulator', () => {
  it('books a shipment once per delivery id: a repeat gets the same tracking number', async () => {
    const deliveryId = crypto.randomUUID();
    const first = await call('POST', '/shipments', { deliveryId, address: '1 Main St, Springfield' });
    expect(first).toMatchObject({
      status: 201,
      body: { deliveryId, trackingNumber: expect.stringMatching(/^TRK[0-9A-F]{16}$/), status: 'booked' },
    });
    const again = await call('POST', '/shipments', { deliveryId, address: '1 Main St, Springfield' });
    expect(again).toMatchObject({ status: 200, body: { trackingNumber: first.body.trackingNumber } });

    const viaClient = await carrier.bookShipment({ deliveryId, address: '1 Main St, Springfield' });
    expect(viaClient).toEqual({ trackingNumber: first.body.trackingNumber });
    expect((await call('GET', `/shipments?deliveryId=${deliveryId}`)).body.shipments).toHaveLength(1);

    const other = await carrier.bookShipment({ deliveryId: crypto.randomUUID(), address: '2 Side St' });
    expect(other.trackingNumber).not.toBe(first.body.trackingNumber);
  });

  it('books the return apart from the parcel, once per delivery id', async () => {
    const deliveryId = crypto.randomUUID();
    const outbound = await carrier.bookShipment({ deliveryId, address: 'a' });
    const back = await carrier.bookReturn({ deliveryId, address: 'a' });
    expect(back.trackingNumber).not.toBe(outbound.trackingNumber);
    expect(await carrier.bookReturn({ deliveryId, address: 'a' })).toEqual(back);
    const { shipments } = (await call('GET', `/shipments?deliveryId=${deliveryId}`)).body;
    expect(shipments.map((s: { direction: string }) => s.direction).sort()).toEqual(['outbound', 'return']);
  });

  it('cancels a booking that has not moved (again: fine), refuses once any event was reported, and sends nothing after', async () => {
    const idle = await carrier.bookShipment({ deliveryId: crypto.randomUUID(), address: 'a' });
    expect(await carrier.cancelShipment(idle.trackingNumber)).toBe(true);
    expect(await carrier.cancelShipment(idle.trackingNumber)).toBe(true);
    expect(await carrier.shipmentStatus(idle.trackingNumber)).toBe('cancelled');
    expect((await call('POST', `/shipments/${idle.trackingNumber}/events`, { type: 'package.shipped' })).status).toBe(409);

    const moving = await carrier.bookShipment({ deliveryId: crypto.randomUUID(), address: 'a' });
    // Reported, its webhook perhaps still on its way: the parcel has moved all the same.
    expect((await call('POST', `/shipments/${moving.trackingNumber}/events`, { type: 'package.shipped' })).status).toBe(202);
    expect(await carrier.cancelShipment(moving.trackingNumber)).toBe(false);
    await expect(carrier.cancelShipment('TRK-UNKNOWN')).rejects.toBeInstanceOf(HttpCallError);
  });

  it.each(PACKAGE_EVENTS)('sends %s as a signed webhook when told it happened', async (type) => {
    const deliveryId = crypto.randomUUID();
    const { trackingNumber } = await carrier.bookShipment({ deliveryId, address: '3 Elm St' });
    const answer = await call('POST', `/shipments/${trackingNumber}/events`, { type });
    expect(answer).toMatchObject({ status: 202, body: { eventId: expect.stringMatching(/^evt_/), type, trackingNumber, deliveryId } });

    await expect
      .poll(() => eventsFor(deliveryId))
      .toEqual([{ path: '/webhooks/carrier', id: answer.body.eventId, type, data: { deliveryId, trackingNumber } }]);
    expect(receiver.rejected).toEqual([]);
    expect((await call('GET', `/shipments/${trackingNumber}`)).body.status).toBe(type.replace('package.', ''));
  });

  it('reports events in the order they are triggered: shipped, then delivered', async () => {
    const deliveryId = crypto.randomUUID();
    const { trackingNumber } = await carrier.bookShipment({ deliveryId, address: '4 Oak St' });
    await call('POST', `/shipments/${trackingNumber}/events`, { type: 'package.shipped' });
    await expect.poll(() => eventsFor(deliveryId).length).toBe(1);
    await call('POST', `/shipments/${trackingNumber}/events`, { type: 'package.delivered' });
    await expect.poll(() => eventsFor(deliveryId).map((event) => event.type)).toEqual(['package.shipped', 'package.delivered']);
    const shipment = (await call('GET', `/shipments?deliveryId=${deliveryId}`)).body.shipments[0];
    expect(shipment).toMatchObject({ status: 'delivered', events: [{ type: 'package.shipped' }, { type: 'package.delivered' }] });
  });

  it('refuses unknown event types, unknown tracking numbers and incomplete bookings', async () => {
    const deliveryId = crypto.randomUUID();
    const { trackingNumber } = await carrier.bookShipment({ deliveryId, address: '5 Pine St' });
    expect((await call('POST', `/shipments/${trackingNumber}/events`, { type: 'package.eaten' })).status).toBe(400);
    expect((await call('POST', '/shipments/TRKNOPE/events', { type: 'package.shipped' })).status).toBe(404);
    expect((await call('GET', '/shipments/TRKNOPE')).status).toBe(404);
    await expect(carrier.bookShipment({ deliveryId: crypto.randomUUID(), address: '' })).rejects.toBeInstanceOf(HttpCallError);
    await simulator.idle();
    expect(eventsFor(deliveryId)).toEqual([]);
  });
});
