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

  it('parses a paid invoice of ours: its payment hash and the satoshis received', () => {
    expect(parseLightningWebhookEvent(event('invoice.paid', { paymentHash, amountSats: 2_500 }))).toEqual({
      id: 'evt_l1',
      type: 'invoice.paid',
      data: { paymentHash, amountSats: 2_500 },
    });
    // The largest amount there can be (21 million BTC) is still exact as a number.
    expect(parseLightningWebhookEvent(event('invoice.paid', { paymentHash, amountSats: 2_100_000_000_000_000 }))?.data).toEqual({
      paymentHash,
      amountSats: 2_100_000_000_000_000,
    });
  });

  it('refuses a paid invoice whose amount is not a positive whole number of satoshis, or whose hash is not one', () => {
    for (const amountSats of [0, -1, 1.5, '100', 2_100_000_000_000_001, null]) {
      const refused = refusal(() => parseLightningWebhookEvent(event('invoice.paid', { paymentHash, amountSats })));
      expect(refused.message).toBe('invalid lightning event data');
      expect(refused.errors.map((e) => e.path)).toEqual(['data.amountSats']);
    }
    const missing = refusal(() => parseLightningWebhookEvent(event('invoice.paid', { paymentHash })));
    expect(missing.errors.map((e) => e.path)).toEqual(['data.amountSats']);
    for (const bad of ['AB'.repeat(32), 'ab'.repeat(31), undefined]) {
      const refused = refusal(() => parseLightningWebhookEvent(event('invoice.paid', { paymentHash: bad, amountSats: 1 })));
      expect(refused.errors.map((e) => e.path)).toEqual(['data.paymentHash']);
    }
  });

  it('calls every other type unknown', () => {
    for (const type of ['invoice.created', 'invoice.expired', 'payment.pending', 'constructor', '__proto__', 'toString']) {
      expect(parseLightningWebhookEvent(event(type, { paymentHash, amountSats: 1 }))).toBeUndefined();
    }
  });
});
