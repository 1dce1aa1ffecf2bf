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
    expect(body.charges).toHaveLength(1);
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
    const { refundId } = await provider.refund({ chargeId, idempotencyKey: key });
    expect(refundId).toMatch(/^re_/);
    expect(await provider.refund({ chargeId, idempotencyKey: key })).toEqual({ refundId });
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
