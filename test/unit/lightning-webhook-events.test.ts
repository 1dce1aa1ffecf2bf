import { describe, expect, it } from 'vitest';
import { parseLightningWebhookEvent } from '../../src/bitcoin/lightning-webhook-events.ts';
import { refusal } from '../support/webhook-refusal.ts';

const withdrawalId = '3c9a4e2b-7f18-4d5c-b6a0-9e1f2d3c4b5a';
const paymentHash = 'ab'.repeat(32);
const event = (type: string, data: Record<string, unknown>) => ({ id: 'evt_l1', type, data });

describe("the lightning node's webhook events", () => {
  it('parses a payment that succeeded and one that failed, with its reason', () => {
    expect(parseLightningWebhookEvent(event('payment.succeeded', { withdrawalId, paymentHash }))).toEqual({
      id: 'evt_l1',
      type: 'payment.succeeded',
      data: { withdrawalId, paymentHash },
    });
    expect(parseLightningWebhookEvent(event('payment.failed', { withdrawalId, paymentHash, reason: 'no route' }))).toEqual({
      id: 'evt_l1',
      type: 'payment.failed',
      data: { withdrawalId, paymentHash, reason: 'no route' },
    });
  });

  it('refuses data with a missing or ill-typed field, naming it under `data.`', () => {
    const missing = refusal(() => parseLightningWebhookEvent(event('payment.succeeded', { withdrawalId })));
    expect(missing.message).toBe('invalid lightning event data');
    expect(missing.errors.map((e) => e.path)).toEqual(['data.paymentHash']);

    const badHash = refusal(() => parseLightningWebhookEvent(event('payment.failed', { withdrawalId, paymentHash: 'AB'.repeat(32) })));
    expect(badHash.errors.map((e) => e.path)).toEqual(['data.paymentHash']);

    const badReason = refusal(() => parseLightningWebhookEvent(event('payment.failed', { withdrawalId, paymentHash, reason: ['x'] })));
    expect(badReason.errors.map((e) => e.path)).toEqual(['data.reason']);

    const notUuid = refusal(() => parseLightningWebhookEvent(event('payment.succeeded', { withdrawalId: 'w', paymentHash })));
    expect(notUuid.errors.map((e) => e.path)).toEqual(['data.withdrawalId']);
  });

  it("calls every other type unknown, the node's invoice.paid included", () => {
    for (const type of ['invoice.paid', 'payment.pending', 'constructor', '__proto__', 'toString']) {
      expect(parseLightningWebhookEvent(event(type, { paymentHash, amountSats: 1 }))).toBeUndefined();
    }
  });
});
