import { describe, expect, it } from 'vitest';
import { parseCarrierWebhookEvent } from '../../src/fulfilment/carrier-webhook-events.ts';
import { refusal } from '../support/webhook-refusal.ts';

const deliveryId = '0b8e7f4c-2d1a-4c6b-8f3e-5a9d1c2b7e60';
const data = { deliveryId, trackingNumber: 'TRK-1' };
const event = (type: string, body: Record<string, unknown>) => ({ id: 'evt_c1', type, data: body });

describe("the carrier's webhook events", () => {
  it('parses each package event, typed by its `type`', () => {
    for (const type of ['package.shipped', 'package.delivered', 'package.returned', 'package.lost'] as const) {
      const parsed = parseCarrierWebhookEvent(event(type, data));
      expect(parsed).toEqual({ id: 'evt_c1', type, data });
    }
  });

  it('refuses data with a missing or ill-typed field, naming it under `data.`', () => {
    const missing = refusal(() => parseCarrierWebhookEvent(event('package.delivered', { deliveryId })));
    expect(missing.message).toBe('invalid carrier event data');
    expect(missing.errors.map((e) => e.path)).toEqual(['data.trackingNumber']);

    const notUuid = refusal(() => parseCarrierWebhookEvent(event('package.shipped', { ...data, deliveryId: 'd-1' })));
    expect(notUuid.errors.map((e) => e.path)).toEqual(['data.deliveryId']);

    const both = refusal(() => parseCarrierWebhookEvent(event('package.lost', { trackingNumber: 7 })));
    expect(both.errors.map((e) => e.path).sort()).toEqual(['data.deliveryId', 'data.trackingNumber']);
  });

  it('calls every other type unknown, whatever its data', () => {
    for (const type of ['package.booked', 'shipment.created', 'constructor', '__proto__', 'valueOf']) {
      expect(parseCarrierWebhookEvent(event(type, {}))).toBeUndefined();
    }
  });
});
