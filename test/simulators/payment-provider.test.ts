import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Money } from '../../src/kernel/money.ts';
import { HttpPaymentProvider } from '../../src/payments/payment-provider.ts';
import { HttpCallError } from '../../src/platform/http/json-client.ts';
import { createPaymentProviderSimulator } from '../../src/simulators/payment-provider.ts';
import type { Simulator } from '../../src/simulators/simulator.ts';
import { startSimulator, type RunningSimulator } from '../../src/simulators/serve.ts';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.ts';

const SECRET = 'payments-sim-secret-0123456789';
let receiver: WebhookReceiver;
let simulator: Simulator;
let server: RunningSimulator;
let provider: HttpPaymentProvider;

beforeAll(async () => {
  receiver = await startWebhookReceiver(SECRET);
  simulator = createPaymentProviderSimulator({ webhookUrl: `${receiver.url}/webhooks/payments`, webhookSecret: SECRET, webhookDelayMs: 5 });
  server = await startSimulator(simulator, 0);
  provider = new HttpPaymentProvider(server.url);
});
afterEach(async () => {
  await simulator.idle(); // no test's webhooks spill into the next
});
afterAll(async () => {
  await server.close();
  await receiver.close();
});

const usd = (amount: string) => Money.of(amount, 'USD');
const eventsFor = (paymentId: string) => receiver.received.filter((event) => event.data.paymentId === paymentId);
const typesFor = (paymentId: string) => eventsFor(paymentId).map((event) => event.type);

async function post(path: string, body: unknown, idempotencyKey?: string) {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as any };
}

async function get(path: string) {
  const response = await fetch(`${server.url}${path}`);
  return { status: response.status, body: (await response.json()) as any };
}

describe('payment provider simulator', () => {
  it('charges then captures tok_visa, each outcome a signed webhook carrying our payment id', async () => {
    const paymentId = crypto.randomUUID();
    const { chargeId } = await provider.charge({
      paymentId,
      amount: usd('12.50'),
      cardToken: 'tok_visa',
      idempotencyKey: crypto.randomUUID(),
    });

    await expect.poll(() => typesFor(paymentId)).toEqual(['payment.charged', 'payment.captured']);
    for (const event of eventsFor(paymentId)) {
      expect(event).toMatchObject({ path: '/webhooks/payments', id: expect.stringMatching(/^evt_/) });
      expect(event.data).toEqual({ paymentId, providerChargeId: chargeId, amount: { amount: '12.50', currency: 'USD' } });
    }
    expect(new Set(eventsFor(paymentId).map((event) => event.id)).size).toBe(2);
    expect(receiver.rejected).toEqual([]);
    expect((await get(`/charges/${chargeId}`)).body).toMatchObject({ chargeId, paymentId, status: 'captured' });
  });

  it('answers a new charge with 201 pending, before any outcome is known', async () => {
    const paymentId = crypto.randomUUID();
    const answer = await post(
      '/charges',
      { paymentId, amount: { amount: '3', currency: 'EUR' }, cardToken: 'tok_visa' },
      crypto.randomUUID(),
    );
    expect(answer).toMatchObject({
      status: 201,
      body: { chargeId: expect.stringMatching(/^ch_/), paymentId, status: 'pending', amount: { amount: '3.00', currency: 'EUR' } },
    });
  });

  it('fails tok_chargeDeclined with a payment.failed webhook and no capture', async () => {
    const paymentId = crypto.randomUUID();
    const { chargeId } = await provider.charge({
      paymentId,
      amount: usd('5.00'),
      cardToken: 'tok_chargeDeclined',
      idempotencyKey: crypto.randomUUID(),
    });
    await expect.poll(() => typesFor(paymentId)).toEqual(['payment.failed']);
    expect(eventsFor(paymentId)[0]!.data).toMatchObject({ paymentId, providerChargeId: chargeId });
    await simulator.idle();
    expect(typesFor(paymentId)).toEqual(['payment.failed']);
    expect((await get(`/charges/${chargeId}`)).body.status).toBe('failed');
  });

  it('charges once per Idempotency-Key: a repeat (even concurrent) gets the same charge back', async () => {
    const paymentId = crypto.randomUUID();
    const key = crypto.randomUUID();
    const request = { paymentId, amount: usd('99.99'), cardToken: 'tok_visa', idempotencyKey: key };
    const answers = await Promise.all([provider.charge(request), provider.charge(request), provider.charge(request)]);
    expect(new Set(answers.map((answer) => answer.chargeId)).size).toBe(1);

    const again = await post('/charges', { paymentId, amount: { amount: '99.99', currency: 'USD' }, cardToken: 'tok_visa' }, key);
    expect(again).toMatchObject({ status: 200, body: { chargeId: answers[0]!.chargeId } });
    const { body } = await get(`/charges?paymentId=${paymentId}`);
    expect(body.charges).toEqual([expect.objectContaining({ chargeId: answers[0]!.chargeId, paymentId, refunds: [] })]);
    await simulator.idle();
    expect(typesFor(paymentId)).toEqual(['payment.charged', 'payment.captured']);
  });

  it('refuses a reused key with another request, a missing key, an unknown token and bad money', async () => {
    const paymentId = crypto.randomUUID();
    const key = crypto.randomUUID();
    const body = { paymentId, amount: { amount: '10.00', currency: 'USD' }, cardToken: 'tok_visa' };
    expect((await post('/charges', body, key)).status).toBe(201);
    expect((await post('/charges', { ...body, amount: { amount: '11.00', currency: 'USD' } }, key)).status).toBe(422);
    expect((await post('/charges', body)).status).toBe(400);
    expect((await post('/charges', { ...body, amount: { amount: '1.001', currency: 'USD' } }, crypto.randomUUID())).status).toBe(400);
    expect((await post('/charges', { ...body, amount: { amount: '1', currency: 'XXX' } }, crypto.randomUUID())).status).toBe(400);

    const refused = provider.charge({ paymentId, amount: usd('1.00'), cardToken: 'tok_mastercard', idempotencyKey: crypto.randomUUID() });
    await expect(refused).rejects.toBeInstanceOf(HttpCallError);
    await expect(refused).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/unknown test card token/) });
    expect((await get(`/charges?paymentId=${paymentId}`)).body.charges).toHaveLength(1);
  });

  it('refunds a captured charge once per key, and refuses a second refund', async () => {
    const paymentId = crypto.randomUUID();
    const { chargeId } = await provider.charge({
      paymentId,
      amount: usd('20.00'),
      cardToken: 'tok_visa',
      idempotencyKey: crypto.randomUUID(),
    });
    await expect.poll(async () => (await get(`/charges/${chargeId}`)).body.status).toBe('captured');

    const key = crypto.randomUUID();
    const { refundId, amount } = await provider.refund({ chargeId, idempotencyKey: key });
    expect(refundId).toMatch(/^re_/);
    expect(amount).toEqual(usd('20.00'));
    expect(await provider.refund({ chargeId, idempotencyKey: key })).toEqual({ refundId, amount });
    await expect(provider.refund({ chargeId, idempotencyKey: crypto.randomUUID() })).rejects.toMatchObject({ status: 409 });

    await expect.poll(() => typesFor(paymentId)).toEqual(['payment.charged', 'payment.captured', 'payment.refunded']);
    expect(eventsFor(paymentId)[2]!.data).toMatchObject({ paymentId, providerChargeId: chargeId });
    expect((await get(`/charges/${chargeId}`)).body).toMatchObject({ status: 'refunded', refundId });
  });

  it('refuses to refund a charge that was not captured, or does not exist', async () => {
    const paymentId = crypto.randomUUID();
    const { chargeId } = await provider.charge({
      paymentId,
      amount: usd('7.00'),
      cardToken: 'tok_chargeDeclined',
      idempotencyKey: crypto.randomUUID(),
    });
    await expect.poll(async () => (await get(`/charges/${chargeId}`)).body.status).toBe('failed');
    await expect(provider.refund({ chargeId, idempotencyKey: crypto.randomUUID() })).rejects.toMatchObject({ status: 409 });
    await expect(provider.refund({ chargeId: 'ch_nope', idempotencyKey: crypto.randomUUID() })).rejects.toMatchObject({ status: 404 });
    expect((await post(`/charges/${chargeId}/refunds`, {})).status).toBe(400);

    // A charge whose outcome has not happened yet (webhooks far in the future) is still pending.
    const slow = createPaymentProviderSimulator({ webhookUrl: receiver.url, webhookSecret: SECRET, webhookDelayMs: 60_000 });
    const charge = (path: string, key: string, body: unknown) =>
      slow.fetch(
        new Request(`http://sim${path}`, {
          method: 'POST',
          headers: { 'idempotency-key': key, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }),
      );
    const created = (await (
      await charge('/charges', 'k1', { paymentId, amount: { amount: '1.00', currency: 'USD' }, cardToken: 'tok_visa' })
    ).json()) as { chargeId: string };
    expect((await charge(`/charges/${created.chargeId}/refunds`, 'k2', {})).status).toBe(409);
    await slow.close();
  });

  it('keeps retrying a webhook the receiver answers with 500, and delivers it once accepted', async () => {
    receiver.failNext(2);
    const before = receiver.attempts;
    const paymentId = crypto.randomUUID();
    await provider.charge({ paymentId, amount: usd('1.00'), cardToken: 'tok_visa', idempotencyKey: crypto.randomUUID() });
    await expect.poll(() => typesFor(paymentId)).toEqual(['payment.charged', 'payment.captured']);
    expect(receiver.attempts - before).toBe(4);
  });

  it('sends every webhook twice with the same id when configured to duplicate', async () => {
    const doubled = createPaymentProviderSimulator({
      webhookUrl: receiver.url,
      webhookSecret: SECRET,
      webhookDelayMs: 1,
      duplicateWebhooks: true,
    });
    const running = await startSimulator(doubled, 0);
    const paymentId = crypto.randomUUID();
    await new HttpPaymentProvider(running.url).charge({
      paymentId,
      amount: usd('2.00'),
      cardToken: 'tok_visa',
      idempotencyKey: crypto.randomUUID(),
    });
    await doubled.idle();
    const events = eventsFor(paymentId);
    expect(events.map((event) => event.type)).toEqual(['payment.charged', 'payment.charged', 'payment.captured', 'payment.captured']);
    expect(events[0]!.id).toBe(events[1]!.id);
    expect(events[2]!.id).toBe(events[3]!.id);
    expect(events[0]!.id).not.toBe(events[2]!.id);
    await running.close();
  });
});

/** A tok_visa charge, once the provider has captured it. */
async function capturedCharge(amount: string, paymentId = crypto.randomUUID()) {
  const { chargeId } = await provider.charge({
    paymentId,
    amount: usd(amount),
    cardToken: 'tok_visa',
    idempotencyKey: crypto.randomUUID(),
  });
  await expect.poll(async () => (await get(`/charges/${chargeId}`)).body.status).toBe('captured');
  return { chargeId, paymentId };
}

/** A refund request; no `body` sends none at all (the whole remaining amount). */
async function refund(chargeId: string, key: string, body?: unknown) {
  const response = await fetch(`${server.url}/charges/${chargeId}/refunds`, {
    method: 'POST',
    headers: { 'idempotency-key': key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as any };
}

const newCharge = (paymentId: string, cardToken: string, amount = '10.00') =>
  post('/charges', { paymentId, amount: { amount, currency: 'USD' }, cardToken }, crypto.randomUUID());

describe('payment provider simulator: tok_hold and its test controls', () => {
  it('holds a tok_hold charge pending, with no webhook, until a test captures it', async () => {
    const paymentId = crypto.randomUUID();
    const created = await newCharge(paymentId, 'tok_hold', '8.00');
    expect(created).toMatchObject({ status: 201, body: { status: 'pending', cardToken: 'tok_hold', refunds: [] } });
    const { chargeId } = created.body;
    await new Promise((resolve) => setTimeout(resolve, 50));
    await simulator.idle();
    expect(typesFor(paymentId)).toEqual([]);
    expect((await get(`/charges/${chargeId}`)).body.status).toBe('pending');

    const captured = await post(`/charges/${chargeId}/capture`, {});
    expect(captured).toMatchObject({ status: 200, body: { chargeId, paymentId } });
    await expect.poll(() => typesFor(paymentId)).toEqual(['payment.charged', 'payment.captured']);
    for (const event of eventsFor(paymentId)) {
      expect(event.data).toEqual({ paymentId, providerChargeId: chargeId, amount: { amount: '8.00', currency: 'USD' } });
    }
    expect((await get(`/charges/${chargeId}`)).body.status).toBe('captured');

    // Decided once: a second capture, or a decline, is refused and sends nothing.
    expect((await post(`/charges/${chargeId}/capture`, {})).status).toBe(409);
    expect((await post(`/charges/${chargeId}/decline`, {})).status).toBe(409);
    await simulator.idle();
    expect(typesFor(paymentId)).toEqual(['payment.charged', 'payment.captured']);
  });

  it('declines a held charge on request with payment.failed (card_declined)', async () => {
    const paymentId = crypto.randomUUID();
    const { chargeId } = (await newCharge(paymentId, 'tok_hold')).body;
    expect(await post(`/charges/${chargeId}/decline`, {})).toMatchObject({ status: 200, body: { chargeId } });
    // Refused at once, before the webhook has even happened.
    expect((await post(`/charges/${chargeId}/capture`, {})).status).toBe(409);
    await expect.poll(() => typesFor(paymentId)).toEqual(['payment.failed']);
    expect(eventsFor(paymentId)[0]!.data).toEqual({
      paymentId,
      providerChargeId: chargeId,
      amount: { amount: '10.00', currency: 'USD' },
      reason: 'card_declined',
    });
    expect((await get(`/charges/${chargeId}`)).body.status).toBe('failed');
    expect((await post(`/charges/${chargeId}/decline`, {})).status).toBe(409);
  });

  it('refuses capture and decline of a charge that is not held (409), or unknown (404)', async () => {
    const paymentId = crypto.randomUUID();
    const { chargeId } = (await newCharge(paymentId, 'tok_visa')).body;
    expect((await post(`/charges/${chargeId}/capture`, {})).status).toBe(409); // even while still pending
    expect((await post(`/charges/${chargeId}/decline`, {})).status).toBe(409);
    expect((await post('/charges/ch_nope/capture', {})).status).toBe(404);
    expect((await post('/charges/ch_nope/decline', {})).status).toBe(404);
    await simulator.idle();
    expect(typesFor(paymentId)).toEqual(['payment.charged', 'payment.captured']);
  });
});

describe('payment provider simulator: void (cancel)', () => {
  it('voids a held charge without a webhook, again idempotently, and it can no longer be captured', async () => {
    const paymentId = crypto.randomUUID();
    const { chargeId } = (await newCharge(paymentId, 'tok_hold')).body;
    expect(await post(`/charges/${chargeId}/cancel`, {})).toMatchObject({ status: 200, body: { chargeId, status: 'cancelled' } });
    expect(await post(`/charges/${chargeId}/cancel`, {})).toMatchObject({ status: 200, body: { chargeId, status: 'cancelled' } });
    expect((await post(`/charges/${chargeId}/capture`, {})).status).toBe(409);
    expect((await refund(chargeId, crypto.randomUUID())).status).toBe(409);
    await simulator.idle();
    expect(typesFor(paymentId)).toEqual([]);
    const { body } = await get(`/charges?paymentId=${paymentId}`);
    expect(body.charges).toEqual([expect.objectContaining({ chargeId, status: 'cancelled', refunds: [] })]);
  });

  it('stops a tok_visa capture when the void lands first: nothing queued is sent, the charge stays cancelled', async () => {
    const slow = createPaymentProviderSimulator({
      webhookUrl: `${receiver.url}/webhooks/payments`,
      webhookSecret: SECRET,
      webhookDelayMs: 200,
    });
    const running = await startSimulator(slow, 0);
    const paymentId = crypto.randomUUID();
    const { chargeId } = await new HttpPaymentProvider(running.url).charge({
      paymentId,
      amount: usd('30.00'),
      cardToken: 'tok_visa',
      idempotencyKey: crypto.randomUUID(),
    });
    const voided = await fetch(`${running.url}/charges/${chargeId}/cancel`, { method: 'POST' });
    expect(voided.status).toBe(200);
    expect(await voided.json()).toMatchObject({ chargeId, status: 'cancelled' });

    await slow.idle();
    expect(typesFor(paymentId)).toEqual([]); // neither charged nor, above all, captured
    expect(await (await fetch(`${running.url}/charges/${chargeId}`)).json()).toMatchObject({ status: 'cancelled' });
    await running.close();
  });

  it('voids a charge that is charged but not yet captured: the capture never happens', async () => {
    receiver.failNext(2); // payment.charged is retried, so the charge sits in `charged` for a while
    const paymentId = crypto.randomUUID();
    const { chargeId } = (await newCharge(paymentId, 'tok_visa')).body;
    await expect.poll(async () => (await get(`/charges/${chargeId}`)).body.status, { interval: 10 }).toBe('charged');
    expect(await post(`/charges/${chargeId}/cancel`, {})).toMatchObject({ status: 200, body: { status: 'cancelled' } });

    await simulator.idle();
    expect(typesFor(paymentId)).toEqual(['payment.charged']);
    expect((await get(`/charges/${chargeId}`)).body.status).toBe('cancelled');
  });

  it('refuses to void a charge once captured, failed or refunded (409), or unknown (404)', async () => {
    const captured = await capturedCharge('3.00');
    expect((await post(`/charges/${captured.chargeId}/cancel`, {})).status).toBe(409);

    const declinedPayment = crypto.randomUUID();
    const declined = (await newCharge(declinedPayment, 'tok_chargeDeclined')).body.chargeId;
    await expect.poll(async () => (await get(`/charges/${declined}`)).body.status).toBe('failed');
    expect((await post(`/charges/${declined}/cancel`, {})).status).toBe(409);

    const refunded = await capturedCharge('4.00');
    expect((await refund(refunded.chargeId, crypto.randomUUID())).status).toBe(201);
    expect((await post(`/charges/${refunded.chargeId}/cancel`, {})).status).toBe(409);

    expect((await post('/charges/ch_nope/cancel', {})).status).toBe(404);
    expect((await get(`/charges/${captured.chargeId}`)).body.status).toBe('captured');
  });
});

describe('payment provider simulator: partial refunds', () => {
  it('refunds in parts that sum to the whole, each with its own webhook, then the charge is refunded', async () => {
    const { chargeId, paymentId } = await capturedCharge('20.00');
    const first = await refund(chargeId, crypto.randomUUID(), { amount: { amount: '5', currency: 'USD' } });
    expect(first).toMatchObject({
      status: 201,
      body: { refundId: expect.stringMatching(/^re_/), chargeId, amount: { amount: '5.00', currency: 'USD' } },
    });
    expect((await get(`/charges/${chargeId}`)).body).toMatchObject({
      status: 'captured', // partly refunded is still captured
      amountRefunded: { amount: '5.00', currency: 'USD' },
      refunds: [{ refundId: first.body.refundId, amount: { amount: '5.00', currency: 'USD' }, createdAt: expect.any(String) }],
    });

    const second = await refund(chargeId, crypto.randomUUID(), { amount: { amount: '14.99', currency: 'USD' } });
    expect(second.status).toBe(201);
    // What is left (0.01) is taken by a refund without a body.
    const rest = await refund(chargeId, crypto.randomUUID());
    expect(rest).toMatchObject({ status: 201, body: { amount: { amount: '0.01', currency: 'USD' } } });

    const { body } = await get(`/charges?paymentId=${paymentId}`);
    expect(body.charges).toHaveLength(1);
    expect(body.charges[0]).toMatchObject({
      chargeId,
      status: 'refunded',
      amountRefunded: { amount: '20.00', currency: 'USD' },
      refundId: rest.body.refundId,
    });
    expect(body.charges[0].refunds.map((r: any) => [r.refundId, r.amount.amount])).toEqual([
      [first.body.refundId, '5.00'],
      [second.body.refundId, '14.99'],
      [rest.body.refundId, '0.01'],
    ]);

    await expect.poll(() => typesFor(paymentId).filter((type) => type === 'payment.refunded')).toHaveLength(3);
    // Webhooks promise no order (each is sent on its own, as a provider's are): one per refund, whichever came first.
    const refunds = eventsFor(paymentId).filter((event) => event.type === 'payment.refunded');
    const byRefundId = (a: { refundId: string }, b: { refundId: string }) => a.refundId.localeCompare(b.refundId);
    expect(refunds.map((event) => event.data as { refundId: string }).sort(byRefundId)).toEqual(
      [
        { paymentId, providerChargeId: chargeId, refundId: first.body.refundId, amount: { amount: '5.00', currency: 'USD' } },
        { paymentId, providerChargeId: chargeId, refundId: second.body.refundId, amount: { amount: '14.99', currency: 'USD' } },
        { paymentId, providerChargeId: chargeId, refundId: rest.body.refundId, amount: { amount: '0.01', currency: 'USD' } },
      ].sort(byRefundId),
    );
    expect((await refund(chargeId, crypto.randomUUID(), { amount: { amount: '0.01', currency: 'USD' } })).status).toBe(409);
  });

  it('refuses a refund beyond what is left with 409, taking nothing', async () => {
    const { chargeId, paymentId } = await capturedCharge('10.00');
    expect((await refund(chargeId, crypto.randomUUID(), { amount: { amount: '10.01', currency: 'USD' } })).status).toBe(409);
    expect((await refund(chargeId, crypto.randomUUID(), { amount: { amount: '6.00', currency: 'USD' } })).status).toBe(201);
    const over = await refund(chargeId, crypto.randomUUID(), { amount: { amount: '4.01', currency: 'USD' } });
    expect(over).toMatchObject({ status: 409, body: { error: expect.stringMatching(/exceeds/) } });
    expect((await get(`/charges/${chargeId}`)).body).toMatchObject({
      status: 'captured',
      amountRefunded: { amount: '6.00', currency: 'USD' },
    });
    expect((await refund(chargeId, crypto.randomUUID(), { amount: { amount: '4', currency: 'USD' } })).status).toBe(201);
    expect((await get(`/charges/${chargeId}`)).body.status).toBe('refunded');
    await simulator.idle();
    expect(typesFor(paymentId).filter((type) => type === 'payment.refunded')).toHaveLength(2);
  });

  it('answers a repeated key with the first refund, and refuses it with another charge or amount (422)', async () => {
    const { chargeId, paymentId } = await capturedCharge('10.00');
    const other = await capturedCharge('10.00');
    const key = crypto.randomUUID();
    const first = await refund(chargeId, key, { amount: { amount: '2.50', currency: 'USD' } });
    expect(first.status).toBe(201);
    // The same money spelt another way is the same request.
    expect(await refund(chargeId, key, { amount: { amount: '2.5', currency: 'USD' } })).toEqual({ status: 200, body: first.body });
    expect((await refund(chargeId, key, { amount: { amount: '3.00', currency: 'USD' } })).status).toBe(422);
    expect((await refund(chargeId, key)).status).toBe(422);
    expect((await refund(other.chargeId, key, { amount: { amount: '2.50', currency: 'USD' } })).status).toBe(422);

    const whole = crypto.randomUUID();
    const rest = await refund(other.chargeId, whole, {});
    expect(rest).toMatchObject({ status: 201, body: { amount: { amount: '10.00', currency: 'USD' } } });
    expect(await refund(other.chargeId, whole)).toEqual({ status: 200, body: rest.body });

    expect((await get(`/charges/${chargeId}`)).body.refunds).toHaveLength(1);
    await simulator.idle();
    expect(typesFor(paymentId).filter((type) => type === 'payment.refunded')).toHaveLength(1);
    expect(typesFor(other.paymentId).filter((type) => type === 'payment.refunded')).toHaveLength(1);
  });

  it('refuses bad refund amounts with 400: zero, another currency, too precise, not JSON', async () => {
    const { chargeId } = await capturedCharge('10.00');
    for (const body of [
      { amount: { amount: '0', currency: 'USD' } },
      { amount: { amount: '1.00', currency: 'EUR' } },
      { amount: { amount: '1.001', currency: 'USD' } },
      { amount: { amount: '-1', currency: 'USD' } },
      { amount: '1.00' },
      'not json',
    ]) {
      expect((await refund(chargeId, crypto.randomUUID(), body)).status).toBe(400);
    }
    expect((await get(`/charges/${chargeId}`)).body).toMatchObject({ status: 'captured', refunds: [] });
  });
});
