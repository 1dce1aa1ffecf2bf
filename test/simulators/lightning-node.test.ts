import { encode, sign } from 'bolt11';
import { decode } from 'light-bolt11-decoder';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HttpLightningNode } from '../../src/bitcoin/lightning-node.ts';
import { generateNodeKey, readInvoice } from '../../src/simulators/bolt11-invoices.ts';
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

async function newInvoice(
  amountSats: number,
  memo?: string,
  base = server.url,
  expirySeconds?: number,
): Promise<{ invoice: string; paymentHash: string; expiresAt: string }> {
  const body = { amountSats, ...(memo === undefined ? {} : { memo }), ...(expirySeconds === undefined ? {} : { expirySeconds }) };
  const answer = await call('POST', '/invoices', body, base);
  expect(answer.status).toBe(201);
  return answer.body;
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

  it('leaves a payment of an invoice whose memo is "hang" pending while the invoice runs, with no webhook', async () => {
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

describe('lightning node simulator: invoice expiry', () => {
  it('writes expirySeconds into the invoice, where decoders see it, and answers the same expiresAt', async () => {
    const { invoice, expiresAt } = await newInvoice(100, 'short', server.url, 90);
    const decoded = decode(invoice);
    expect(decoded.expiry).toBe(90);
    const timestamp = section(invoice, 'timestamp') as number;
    expect(Date.parse(expiresAt)).toBe((timestamp + 90) * 1000);
    expect(readInvoice(invoice).expiresAt).toBe(timestamp + 90);

    const yearLong = await newInvoice(100, undefined, server.url, 31_536_000);
    expect(decode(yearLong.invoice).expiry).toBe(31_536_000);
    expect(decode((await newInvoice(100)).invoice).expiry).toBe(3600); // the default
  });

  it('refuses an expiry that is not a whole number of seconds from 1 to a year', async () => {
    for (const expirySeconds of [0, -1, 1.5, 31_536_001, '60', null]) {
      expect((await call('POST', '/invoices', { amountSats: 1, expirySeconds })).status).toBe(400);
    }
  });
});

describe('lightning node simulator: hang and hold', () => {
  it('keeps a "hang" payment pending until its invoice expires, then fails it with payment.failed', async () => {
    const withdrawalId = crypto.randomUUID();
    // Two seconds (BOLT11 counts whole seconds): at least one second left to pay it in.
    const { invoice, paymentHash, expiresAt } = await newInvoice(1_000, 'hang', server.url, 2);
    expect(await node.payInvoice({ invoice, withdrawalId })).toEqual({ paymentHash, status: 'pending' });
    await simulator.idle();
    expect(await node.paymentStatus(paymentHash)).toBe('pending');

    await expect.poll(() => eventsFor(withdrawalId).map((event) => event.type), { timeout: 5_000 }).toEqual(['payment.failed']);
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(expiresAt));
    expect(eventsFor(withdrawalId)[0]!.data).toEqual({ withdrawalId, paymentHash, reason: 'invoice_expired' });
    expect(await node.paymentStatus(paymentHash)).toBe('failed');
  });

  it('cancels the expiry timers of "hang" payments on close: nothing is sent afterwards', async () => {
    const other = createLightningNodeSimulator({ webhookUrl: receiver.url, webhookSecret: SECRET, webhookDelayMs: 1 });
    const otherServer = await startSimulator(other, 0);
    const withdrawalId = crypto.randomUUID();
    const { invoice, expiresAt } = await newInvoice(10, 'hang', otherServer.url, 2);
    expect((await call('POST', '/payments', { invoice, withdrawalId }, otherServer.url)).status).toBe(202);
    await otherServer.close();
    await new Promise((resolve) => setTimeout(resolve, Date.parse(expiresAt) - Date.now() + 200));
    expect(eventsFor(withdrawalId)).toEqual([]);
  });

  it('holds a "hold" payment pending until a test settles it: payment.succeeded, with the preimage', async () => {
    const withdrawalId = crypto.randomUUID();
    const { invoice, paymentHash } = await newInvoice(700, 'hold');
    expect(await node.payInvoice({ invoice, withdrawalId })).toEqual({ paymentHash, status: 'pending' });
    await new Promise((resolve) => setTimeout(resolve, DELAY_MS * 20));
    await simulator.idle();
    expect(eventsFor(withdrawalId)).toEqual([]);
    expect(await node.paymentStatus(paymentHash)).toBe('pending');

    expect(await call('POST', `/payments/${paymentHash}/settle`)).toMatchObject({ status: 200, body: { paymentHash, withdrawalId } });
    // Decided once: refused at once, even before the webhook has happened.
    expect((await call('POST', `/payments/${paymentHash}/settle`)).status).toBe(409);
    expect((await call('POST', `/payments/${paymentHash}/cancel`)).status).toBe(409);
    await expect.poll(() => eventsFor(withdrawalId).map((event) => event.type)).toEqual(['payment.succeeded']);
    expect(eventsFor(withdrawalId)[0]!.data).toEqual({ withdrawalId, paymentHash });
    const { body } = await call('GET', `/payments/${paymentHash}`);
    expect(body).toMatchObject({ status: 'succeeded', amountSats: 700 });
    expect(await sha256Hex(body.preimage)).toBe(paymentHash);
    await simulator.idle();
    expect(eventsFor(withdrawalId)).toHaveLength(1);
  });

  it('fails a "hold" payment a test cancels, with payment.failed (cancelled)', async () => {
    const withdrawalId = crypto.randomUUID();
    const { invoice, paymentHash } = await newInvoice(800, 'hold');
    await node.payInvoice({ invoice, withdrawalId });
    expect(await call('POST', `/payments/${paymentHash.toUpperCase()}/cancel`)).toMatchObject({ status: 200, body: { paymentHash } });
    await expect.poll(() => eventsFor(withdrawalId).map((event) => event.type)).toEqual(['payment.failed']);
    expect(eventsFor(withdrawalId)[0]!.data).toEqual({ withdrawalId, paymentHash, reason: 'cancelled' });
    expect(await node.paymentStatus(paymentHash)).toBe('failed');
    expect((await call('GET', `/payments/${paymentHash}`)).body.preimage).toBeUndefined();
    expect((await call('POST', `/payments/${paymentHash}/settle`)).status).toBe(409);
    // Paying the same invoice again is the same payment, not a second one.
    expect(await call('POST', '/payments', { invoice, withdrawalId })).toMatchObject({ status: 200, body: { status: 'failed' } });
  });

  it('refuses settle and cancel of a payment that is not a pending hold payment (409), or unknown (404)', async () => {
    const withdrawalId = crypto.randomUUID();
    const hanging = await newInvoice(10, 'hang');
    await node.payInvoice({ invoice: hanging.invoice, withdrawalId });
    const plain = await newInvoice(10);
    await node.payInvoice({ invoice: plain.invoice, withdrawalId });
    for (const paymentHash of [hanging.paymentHash, plain.paymentHash]) {
      expect((await call('POST', `/payments/${paymentHash}/settle`)).status).toBe(409);
      expect((await call('POST', `/payments/${paymentHash}/cancel`)).status).toBe(409);
    }
    const neverPaid = await newInvoice(10, 'hold');
    expect((await call('POST', `/payments/${neverPaid.paymentHash}/settle`)).status).toBe(404);
    expect((await call('POST', `/payments/${'ab'.repeat(32)}/cancel`)).status).toBe(404);
    await simulator.idle();
    expect(eventsFor(withdrawalId).map((event) => event.data.paymentHash)).toEqual([plain.paymentHash]);
  });
});

describe('lightning node simulator: an outside payer (POST /invoices/:paymentHash/pay)', () => {
  const paidEventsFor = (paymentHash: string) =>
    receiver.received.filter((event) => event.type === 'invoice.paid' && event.data.paymentHash === paymentHash);

  it('pays one of its invoices once, reported with a signed invoice.paid; a second payer is refused (409)', async () => {
    const { paymentHash, expiresAt } = await newInvoice(2_500, 'deposit');
    expect(await call('GET', `/invoices/${paymentHash}`)).toMatchObject({
      status: 200,
      body: { paymentHash, amountSats: 2_500, memo: 'deposit', expiresAt, status: 'open' },
    });

    expect(await call('POST', `/invoices/${paymentHash}/pay`)).toEqual({
      status: 200,
      body: { paymentHash, amountSats: 2_500, status: 'paid' },
    });
    expect((await call('POST', `/invoices/${paymentHash}/pay`)).status).toBe(409);
    await expect
      .poll(() => paidEventsFor(paymentHash))
      .toEqual([
        { path: '/webhooks/lightning', id: expect.stringMatching(/^evt_/), type: 'invoice.paid', data: { paymentHash, amountSats: 2_500 } },
      ]);
    expect((await call('GET', `/invoices/${paymentHash}`)).body.status).toBe('paid');

    const concurrent = await newInvoice(1);
    const answers = await Promise.all([1, 2, 3].map(() => call('POST', `/invoices/${concurrent.paymentHash}/pay`)));
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409, 409]);
    await simulator.idle();
    expect(paidEventsFor(paymentHash)).toHaveLength(1);
    expect(paidEventsFor(concurrent.paymentHash)).toHaveLength(1);
    expect(receiver.rejected).toEqual([]);
  });

  it("answers 404 for a hash it never issued, another node's included", async () => {
    const other = createLightningNodeSimulator({ webhookUrl: receiver.url, webhookSecret: SECRET });
    const otherServer = await startSimulator(other, 0);
    const foreign = await newInvoice(5, undefined, otherServer.url);
    await otherServer.close();
    for (const paymentHash of [foreign.paymentHash, 'cd'.repeat(32)]) {
      expect((await call('POST', `/invoices/${paymentHash}/pay`)).status).toBe(404);
      expect((await call('GET', `/invoices/${paymentHash}`)).status).toBe(404);
    }
    await simulator.idle();
    expect(paidEventsFor(foreign.paymentHash)).toEqual([]);
  });

  it('refuses to pay an expired invoice (422) and shows it expired', async () => {
    let clock = Date.now();
    const later = createLightningNodeSimulator({ webhookUrl: receiver.url, webhookSecret: SECRET, webhookDelayMs: 1, now: () => clock });
    const running = await startSimulator(later, 0);
    const { paymentHash } = await newInvoice(5, undefined, running.url, 60);
    clock += 60_000; // the node's clock reaches the expiry
    expect((await call('GET', `/invoices/${paymentHash}`, undefined, running.url)).body.status).toBe('expired');
    expect(await call('POST', `/invoices/${paymentHash}/pay`, undefined, running.url)).toEqual({
      status: 422,
      body: { error: 'invoice has expired' },
    });
    await later.idle();
    await running.close();
    expect(paidEventsFor(paymentHash)).toEqual([]);
  });
});
