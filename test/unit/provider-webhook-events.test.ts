import { describe, expect, it } from 'vitest';
import { Money } from '../../src/kernel/money.ts';
import { parseProviderWebhookEvent } from '../../src/payments/provider-webhook-events.ts';
import { refusal } from '../support/webhook-refusal.ts';

const paymentId = '6f1c2b8e-4a57-4d39-9a1e-2f0c9d7b3e11';
const charge = { paymentId, providerChargeId: 'ch_1' };
const event = (type: string, data: Record<string, unknown>) => ({ id: 'evt_1', type, data });

describe("the payment provider's webhook events", () => {
  it('parses each event type we use, typed by its `type`', () => {
    expect(parseProviderWebhookEvent(event('payment.charged', charge))).toEqual({ id: 'evt_1', type: 'payment.charged', data: charge });
    expect(parseProviderWebhookEvent(event('payment.failed', { ...charge, reason: 'card_declined' }))).toEqual({
      id: 'evt_1',
      type: 'payment.failed',
      data: { ...charge, reason: 'card_declined' },
    });
    const captured = parseProviderWebhookEvent(event('payment.captured', { ...charge, amount: { amount: '12.5', currency: 'USD' } }));
    expect(captured?.type).toBe('payment.captured');
    if (captured?.type !== 'payment.captured') throw new Error('unreachable');
    expect(captured.data.amount?.equals(Money.of('12.50', 'USD'))).toBe(true);
    expect(parseProviderWebhookEvent(event('payment.captured', charge))).toEqual({ id: 'evt_1', type: 'payment.captured', data: charge });
    const refunded = parseProviderWebhookEvent(
      event('payment.refunded', { ...charge, refundId: 're_1', amount: { amount: '3', currency: 'EUR' } }),
    );
    if (refunded?.type !== 'payment.refunded') throw new Error(`expected payment.refunded, got ${refunded?.type}`);
    expect(refunded.data.refundId).toBe('re_1');
    expect(refunded.data.amount.equals(Money.of('3.00', 'EUR'))).toBe(true);
  });

  it('drops fields it does not know from the data', () => {
    expect(parseProviderWebhookEvent(event('payment.charged', { ...charge, extra: 1 }))).toEqual({
      id: 'evt_1',
      type: 'payment.charged',
      data: charge,
    });
  });

  it('refuses data with a missing or ill-typed field, naming it under `data.`', () => {
    const missing = refusal(() => parseProviderWebhookEvent(event('payment.charged', { paymentId })));
    expect(missing.message).toBe('invalid payment event data');
    expect(missing.errors.map((e) => e.path)).toEqual(['data.providerChargeId']);

    const notUuid = refusal(() => parseProviderWebhookEvent(event('payment.failed', { ...charge, paymentId: 'p-1' })));
    expect(notUuid.errors.map((e) => e.path)).toEqual(['data.paymentId']);

    const badReason = refusal(() => parseProviderWebhookEvent(event('payment.failed', { ...charge, reason: 42 })));
    expect(badReason.errors.map((e) => e.path)).toEqual(['data.reason']);

    const noRefundAmount = refusal(() => parseProviderWebhookEvent(event('payment.refunded', { ...charge, refundId: 're_1' })));
    expect(noRefundAmount.errors.map((e) => e.path)).toEqual(['data.amount']);

    const badCurrency = refusal(() =>
      parseProviderWebhookEvent(event('payment.captured', { ...charge, amount: { amount: '1.00', currency: 'GBP' } })),
    );
    expect(badCurrency.errors.map((e) => e.path)).toEqual(['data.amount.currency']);

    const badAmount = refusal(() =>
      parseProviderWebhookEvent(event('payment.captured', { ...charge, amount: { amount: '1.005', currency: 'USD' } })),
    );
    expect(badAmount.errors.map((e) => e.path)).toEqual(['data.amount.amount']);
  });

  it('calls every other type unknown, whatever its data, including the names of Object properties', () => {
    for (const type of ['charge.captured', 'payment.pending', 'constructor', '__proto__', 'toString', 'hasOwnProperty', '']) {
      expect(parseProviderWebhookEvent(event(type, { nothing: 'useful' }))).toBeUndefined();
    }
  });
});
