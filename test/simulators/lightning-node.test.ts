import { encode, sign } from 'bolt11';
import { decode } from 'light-bolt11-decoder';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HttpLightningNode } from '../../src/bitcoin/lightning-node.ts';
import { generateNodeKey } from '../../src/simulators/bolt11-invoices.ts';
import { createLightningNodeSimulator } from '../../src/simulators/lightning-node.ts';
import type { Simulator } from '../../src/simulators/simulator.ts';
import { startSimulator, type RunningSimulator } from '../../src/simulators/serve.ts';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.ts';

const SECRET = 'lightning-sim-secret-0123456789';
const DELAY_MS = 5;
let receiver: WebhookReceiver;
let simulator: Simulator;
let server: RunningSimulator;
let node: HttpLightningNode;

beforeAll(async () => {
  receiver = await startWebhookReceiver(SECRET);
  simulator = createLightningNodeSimulator({
    webhookUrl: `${receiver.url}/webhooks/lightning`,
    webhookSecret: SECRET,
    webhookDelayMs: DELAY_MS,
  });
  server = await startSimulator(simulator, 0);
  node = new HttpLightningNode(server.url);
});
afterEach(async () => {
  await simulator.idle();
});
afterAll(async () => {
  await server.close();
  await receiver.close();
});

const eventsFor = (withdrawalId: string) => receiver.received.filter((event) => event.data.withdrawalId === withdrawalId);

async function call(method: string, path: string, body?: unknown, base = server.url) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as any };
}

async function newInvoice(amountSats: number, memo?: string, base = server.url): Promise<{ invoice: string; paymentHash: string }> {
  const { status, body } = await call('POST', '/invoices', { amountSats, ...(memo === undefined ? {} : { memo }) }, base);
  expect(status).toBe(201);
  return body;
}

function section(invoice: string, name: string): unknown {
  const found = decode(invoice).sections.find((s) => s.name === name);
  return found && 'value' in found ? found.value : undefined;
}

async function sha256Hex(hex: string): Promise<string> {
  const bytes = new Uint8Array(hex.match(/../g)!.map((byte) => Number.parseInt(byte, 16)));
  return Buffer.from(await crypto.subtle.digest('SHA-256', bytes)).toString('hex');
}

describe('lightning node simulator: invoices', () => {
  it('issues a real mainnet BOLT11 invoice that light-bolt11-decoder reads back', async () => {
    const before = Math.floor(Date.now() / 1000);
    const { invoice, paymentHash } = await newInvoice(21_000, 'coffee');
    expect(invoice).toMatch(/^lnbc210u1/); // 21,000 sat = 210 µBTC
    expect(paymentHash).toMatch(/^[0-9a-f]{64}$/);

    const decoded = decode(invoice);
    expect(decoded.expiry).toBe(3600);
    expect(section(invoice, 'amount')).toBe('21000000'); // millisatoshis
    expect(section(invoice, 'payment_hash')).toBe(paymentHash);
    expect(section(invoice, 'description')).toBe('coffee');
    expect(section(invoice, 'coin_network')).toMatchObject({ bech32: 'bc' });
    expect(section(invoice, 'payment_secret')).toMatch(/^[0-9a-f]{64}$/);
    expect(section(invoice, 'timestamp')).toBeGreaterThanOrEqual(before);
    expect(section(invoice, 'signature')).toMatch(/^[0-9a-f]{130}$/);
  });

  it('gives every invoice its own payment hash, and the same payee key', async () => {
    const a = await call('POST', '/invoices', { amountSats: 1 });
    const b = await call('POST', '/invoices', { amountSats: 1 });
    expect(a.body.paymentHash).not.toBe(b.body.paymentHash);
    expect(a.body.payee).toMatch(/^0[23][0-9a-f]{64}$/);
    expect(a.body.payee).toBe(b.body.payee);
  });

  it('refuses an amount that is not a positive whole number of satoshis', async () => {
    for (const amountSats of [0, -5, 1.5, '100']) {
      expect((await call('POST', '/invoices', { amountSats })).status).toBe(400);
    }
  });
});

describe('lightning node simulator: payments', () => {
  it('pays an invoice: pending at once, then succeeded with a signed payment.succeeded webhook', async () => {
    const withdrawalId = crypto.randomUUID();
    const { invoice, paymentHash } = await newInvoice(1_500);
    expect(await node.payInvoice({ invoice, withdrawalId })).toEqual({ paymentHash, status: 'pending' });

    await expect
      .poll(() => eventsFor(withdrawalId))
      .toEqual([
        { path: '/webhooks/lightning', id: expect.stringMatching(/^evt_/), type: 'payment.succeeded', data: { withdrawalId, paymentHash } },
      ]);
    expect(receiver.rejected).toEqual([]);
    expect(await node.paymentStatus(paymentHash)).toBe('succeeded');
    const { body } = await call('GET', `/payments/${paymentHash}`);
    expect(body).toMatchObject({ paymentHash, withdrawalId, status: 'succeeded', amountSats: 1_500 });
    expect(await sha256Hex(body.preimage)).toBe(paymentHash); // the hash really is sha256(preimage)
  });

  it('fails an invoice whose memo is "fail", with a payment.failed webhook', async () => {
    const withdrawalId = crypto.randomUUID();
    const { invoice, paymentHash } = await newInvoice(1_000, 'fail');
    await node.payInvoice({ invoice, withdrawalId });
    await expect.poll(() => eventsFor(withdrawalId).map((event) => event.type)).toEqual(['payment.failed']);
    expect(eventsFor(withdrawalId)[0]!.data).toMatchObject({ withdrawalId, paymentHash });
    expect(await node.paymentStatus(paymentHash)).toBe('failed');
    expect((await call('GET', `/payments/${paymentHash}`)).body.preimage).toBeUndefined();
  });

  it('leaves an invoice whose memo is "hang" pending, with no webhook at all', async () => {
    const withdrawalId = crypto.randomUUID();
    const { invoice, paymentHash } = await newInvoice(1_000, 'hang');
    expect(await node.payInvoice({ invoice, withdrawalId })).toEqual({ paymentHash, status: 'pending' });
    await new Promise((resolve) => setTimeout(resolve, DELAY_MS * 20));
    await simulator.idle();
    expect(eventsFor(withdrawalId)).toEqual([]);
    expect(await node.paymentStatus(paymentHash)).toBe('pending');
  });

  it('never pays the same payment hash twice, even when asked concurrently or by another withdrawal', async () => {
    const withdrawalId = crypto.randomUUID();
    const { invoice, paymentHash } = await newInvoice(2_000);
    const answers = await Promise.all([1, 2, 3].map(() => call('POST', '/payments', { invoice, withdrawalId })));
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 200, 202]);
    await simulator.idle();

    const later = await call('POST', '/payments', { invoice, withdrawalId: 'someone-else' });
    expect(later).toMatchObject({ status: 200, body: { paymentHash, withdrawalId, status: 'succeeded' } });
    expect(await node.payInvoice({ invoice, withdrawalId })).toEqual({ paymentHash, status: 'succeeded' });
    await simulator.idle();
    expect(receiver.received.filter((event) => event.data.paymentHash === paymentHash)).toHaveLength(1);
  });

  it('answers 404 for a payment it never made, which the client reports as unknown', async () => {
    const { paymentHash } = await newInvoice(10);
    expect((await call('GET', `/payments/${paymentHash}`)).status).toBe(404);
    expect(await node.paymentStatus(paymentHash)).toBe('unknown');
  });

  it('pays an invoice from another node with the default outcome, whatever its memo', async () => {
    const other = createLightningNodeSimulator({ webhookUrl: receiver.url, webhookSecret: SECRET });
    const otherServer = await startSimulator(other, 0);
    const { invoice, paymentHash } = await newInvoice(300, 'fail', otherServer.url);
    await otherServer.close();

    const withdrawalId = crypto.randomUUID();
    await node.payInvoice({ invoice, withdrawalId });
    await expect.poll(() => eventsFor(withdrawalId).map((event) => event.type)).toEqual(['payment.succeeded']);
    const { body } = await call('GET', `/payments/${paymentHash}`);
    expect(body).toMatchObject({ status: 'succeeded', amountSats: 300 });
    expect(body.preimage).toBeUndefined(); // only the payee knows it
  });

  it('refuses malformed invoices with 400 and unpayable ones (no amount, expired) with 422, paying nothing', async () => {
    const withdrawalId = crypto.randomUUID();
    const { invoice } = await newInvoice(100);
    const tampered = `${invoice.slice(0, 20)}${invoice[20] === 'q' ? 'p' : 'q'}${invoice.slice(21)}`;
    for (const bad of ['not an invoice', 'lnbc1garbage', tampered]) {
      const answer = await call('POST', '/payments', { invoice: bad, withdrawalId });
      expect(answer).toMatchObject({ status: 400, body: { error: expect.stringMatching(/malformed invoice/) } });
    }
    await expect(node.payInvoice({ invoice: 'lnbc1garbage', withdrawalId })).rejects.toMatchObject({ status: 400 });

    const unsigned = encode({
      timestamp: Math.floor(Date.now() / 1000),
      tags: [
        { tagName: 'payment_hash', data: '00'.repeat(32) },
        { tagName: 'description', data: 'any amount' },
      ],
    });
    const noAmount = sign(unsigned, generateNodeKey()).paymentRequest!;
    expect((await call('POST', '/payments', { invoice: noAmount, withdrawalId })).status).toBe(422);

    const twoHoursAgo = createLightningNodeSimulator({
      webhookUrl: receiver.url,
      webhookSecret: SECRET,
      now: () => Date.now() - 2 * 3600_000,
    });
    const issued = (await (
      await twoHoursAgo.fetch(
        new Request('http://sim/invoices', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ amountSats: 5 }),
        }),
      )
    ).json()) as { invoice: string };
    expect((await call('POST', '/payments', { invoice: issued.invoice, withdrawalId })).body).toEqual({ error: 'invoice has expired' });

    await simulator.idle();
    expect(eventsFor(withdrawalId)).toEqual([]);
  });
});
