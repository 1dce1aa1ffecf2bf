import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signWebhook } from '../../src/platform/http/webhook-signature.ts';
import { eventually, startPlatform, type TestPlatform } from '../support/platform.ts';
import { withdrawalHelpers } from '../support/withdrawals.ts';

/**
 * Defects the fuzz of issue 10 (`chaos/fuzz/`, `test/chaos/fuzz.test.ts`) found, each
 * pinned by the smallest request that showed it.
 */
let platform: TestPlatform;
const w = withdrawalHelpers(() => platform);

beforeAll(async () => {
  platform = await startPlatform();
}, 120_000);
afterAll(() => platform?.stop());

/** Names every JavaScript object has: a lookup table indexed by them finds a function, not an entry. */
const OBJECT_PROPERTY_NAMES = ['constructor', '__proto__', 'toString', 'hasOwnProperty'];

async function sendSigned(source: 'payments' | 'lightning', event: { id: string; type: string; data: Record<string, unknown> }) {
  const rawBody = JSON.stringify(event);
  const secret = source === 'payments' ? platform.config.PAYMENTS_WEBHOOK_SECRET : platform.config.LIGHTNING_WEBHOOK_SECRET;
  const response = await fetch(`${platform.api.url}/webhooks/${source}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'webhook-signature': await signWebhook(secret, rawBody, Math.floor(Date.now() / 1000)) },
    body: rawBody,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('a signed webhook whose type is the name of an Object property', () => {
  it('is acknowledged and ignored by the payments receiver like any unknown type (it was a 500)', async () => {
    for (const type of OBJECT_PROPERTY_NAMES) {
      const id = `evt_${crypto.randomUUID()}`;
      const answer = await sendSigned('payments', {
        id,
        type,
        data: { paymentId: crypto.randomUUID(), providerChargeId: 'ch_fuzz' },
      });
      expect({ type, ...answer }).toEqual({ type, status: 200, body: { received: true, id, duplicate: false } });
    }
  });

  it('is ignored by the lightning receiver: it never settles or fails a real withdrawal', async () => {
    const customer = `fuzz-finding-${crypto.randomUUID()}`;
    await w.deposit(customer, 5_000);
    const { invoice, paymentHash } = await w.invoice(1_000, 'hold');
    const requested = await w.withdraw(customer, 1_000, invoice);
    expect(requested.status).toBe(202);
    const withdrawalId = requested.body.id as string;
    await eventually(
      () => platform.api.call('GET', `/withdrawals/${withdrawalId}`, { as: customer }),
      (r) => r.body.status === 'accepted',
    );
    for (const type of OBJECT_PROPERTY_NAMES) {
      const id = `evt_${crypto.randomUUID()}`;
      const answer = await sendSigned('lightning', { id, type, data: { withdrawalId, paymentHash } });
      expect({ type, ...answer }).toEqual({ type, status: 200, body: { received: true, id, duplicate: false } });
    }
    const saga = await platform.api.call('GET', `/sagas/bitcoin-withdrawal-${withdrawalId}`, { as: customer });
    expect(saga.body.status).toBe('running');
    expect((await platform.api.call('GET', `/withdrawals/${withdrawalId}`, { as: customer })).body.status).toBe('accepted');

    // The node's real answer still ends it.
    expect((await fetch(`${platform.simulators.urls.lightning}/payments/${paymentHash}/settle`, { method: 'POST' })).status).toBeLessThan(
      300,
    );
    expect((await w.finished(customer, withdrawalId)).status).toBe('paid');
  });
});

describe('GET /sagas/:workflowId while no worker answers the saga query', () => {
  it("answers within seconds from what Temporal itself keeps (status, step, parties), still only to the saga's parties", async () => {
    const seller = `fuzz-finding-${crypto.randomUUID()}`;
    const created = await platform.api.call('POST', '/auctions', {
      as: seller,
      body: {
        title: 'A saga with no worker',
        startingPrice: { amount: '5.00', currency: 'USD' },
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
        fulfilment: 'service',
      },
    });
    expect(created.status).toBe(201);
    const workflowId = `auction-closing-${created.body.id}`;
    const live = await eventually(
      () => platform.api.call('GET', `/sagas/${workflowId}`, { as: seller }),
      (r) => r.status === 200,
    );
    expect(live.body).toMatchObject({ status: 'running', source: 'query' });

    await platform.worker?.stop();
    platform.worker = undefined;
    try {
      const started = Date.now();
      const answer = await platform.api.call('GET', `/sagas/${workflowId}`, { as: seller });
      const elapsedMs = Date.now() - started;
      // It hung about 30 s, then answered 500.
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ workflowId, status: 'running', step: live.body.step, source: 'search-attributes', history: [] });
      expect(elapsedMs).toBeLessThan(8_000);
      const stranger = await platform.api.call('GET', `/sagas/${workflowId}`, { as: `stranger-${crypto.randomUUID()}` });
      expect(stranger.status).toBe(403);
    } finally {
      await platform.startWorker();
    }
    // With a worker back, the saga answers its query again.
    const again = await platform.api.call('GET', `/sagas/${workflowId}`, { as: seller });
    expect(again.body).toMatchObject({ status: 'running', source: 'query' });
  }, 60_000);
});
