import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { depositPostingIdOf } from '../../src/bitcoin/deposit-invoice.ts';
import { signWebhook } from '../../src/platform/http/webhook-signature.ts';
import { startTestApi } from '../support/api-server.ts';
import { eventually, startPlatform, type TestPlatform } from '../support/platform.ts';
import { withdrawalHelpers } from '../support/withdrawals.ts';

/**
 * Lightning deposits end to end, through HTTP only: a deposit invoice from our node
 * (`POST /accounts/{id}/deposit-invoices`), paid by an outside payer at the node
 * simulator, which reports it with a signed `invoice.paid`; the account is credited what
 * was received, once per payment hash, however the report repeats. The books are
 * audited after every test.
 */
let platform: TestPlatform;
const h = withdrawalHelpers(() => platform);

beforeAll(async () => {
  platform = await startPlatform();
}, 120_000);
afterEach(async () => {
  await h.expectLedgerBalanced();
});
afterAll(() => platform?.stop());

const customer = (name: string) => `${name}-${crypto.randomUUID()}`;
const sat = (n: number | string) => ({ amount: String(n), currency: 'SAT' });

interface DepositInvoice {
  id: string;
  accountId: string;
  invoice: string;
  paymentHash: string;
  expiresAt: string;
  amount: { amount: string; currency: string };
  status: 'open' | 'paid' | 'expired';
  received: { amount: string; currency: string } | null;
  paidAt: string | null;
}

const requestInvoice = (who: string, amount: unknown, options: { account?: string; headers?: Record<string, string> } = {}) =>
  platform.api.call('POST', `/accounts/${options.account ?? who}/deposit-invoices`, {
    as: who,
    body: { amount },
    headers: options.headers,
  });

async function issue(who: string, amount: number): Promise<DepositInvoice> {
  const response = await requestInvoice(who, sat(amount));
  expect(response.status).toBe(201);
  return response.body as DepositInvoice;
}

const view = async (who: string, id: string) =>
  (await platform.api.call('GET', `/accounts/${who}/deposit-invoices/${id}`, { as: who })).body as DepositInvoice;

/** The outside payer pays one of the node's invoices; the node then sends `invoice.paid`. */
const payAtNode = (paymentHash: string) => fetch(`${platform.simulators.urls.lightning}/invoices/${paymentHash}/pay`, { method: 'POST' });

/** An `invoice.paid` as the node would sign it, sent by the test; `raw` resends exact bytes (a replay). */
async function sendInvoicePaid(data: { paymentHash: string; amountSats: number }, id = `evt_${crypto.randomUUID()}`, raw?: string) {
  const body = raw ?? JSON.stringify({ id, type: 'invoice.paid', data });
  const response = await fetch(`${platform.api.url}/webhooks/lightning`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-signature': await signWebhook(platform.config.LIGHTNING_WEBHOOK_SECRET, body, Math.floor(Date.now() / 1000)),
    },
    body,
  });
  return { status: response.status, body: (await response.json()) as { duplicate?: boolean }, raw: body };
}

const balanceOf = async (who: string) => (await h.account(who)).balance.amount as string;

/** The ledger postings that credit a payment hash: there must be exactly one once it is paid, never two. */
async function creditsFor(paymentHash: string): Promise<number> {
  const { rows } = await platform.db.pools.read.query(`SELECT count(*)::int AS n FROM ledger_postings WHERE id = $1 AND kind = 'deposit'`, [
    await depositPostingIdOf(paymentHash),
  ]);
  return rows[0].n;
}

async function lightningWebhooksHandled(): Promise<number> {
  const { rows } = await platform.db.pools.read.query(`SELECT count(*)::int AS n FROM inbox WHERE consumer = 'webhook:lightning'`);
  return rows[0].n;
}

async function storedInvoicesOf(who: string): Promise<number> {
  const { rows } = await platform.db.pools.read.query('SELECT count(*)::int AS n FROM deposit_invoices WHERE customer_id = $1', [who]);
  return rows[0].n;
}

/** Lets webhooks in flight land before a "nothing more happened" check. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 500));

describe('a deposit over lightning', () => {
  it('issues an invoice of our node, credits it once when paid, and opens the account on that first credit', async () => {
    const ann = customer('ann');
    const before = Date.now();
    const issued = await issue(ann, 2_500);
    expect(issued).toMatchObject({ accountId: ann, amount: sat(2_500), status: 'open', received: null, paidAt: null });
    expect(issued.invoice).toMatch(/^lnbc/);
    expect(issued.paymentHash).toMatch(/^[0-9a-f]{64}$/);
    const expiresIn = new Date(issued.expiresAt).getTime() - before;
    expect(expiresIn).toBeGreaterThan(3_500_000);
    expect(expiresIn).toBeLessThanOrEqual(3_601_000);
    // The node knows it, for exactly this amount.
    const atNode = await (await fetch(`${platform.simulators.urls.lightning}/invoices/${issued.paymentHash}`)).json();
    expect(atNode).toMatchObject({ invoice: issued.invoice, amountSats: 2_500, status: 'open' });
    expect(await view(ann, issued.id)).toEqual(issued);
    expect(await h.account(ann)).toMatchObject({ balance: sat(0), version: 0 }); // not opened yet

    expect((await payAtNode(issued.paymentHash)).status).toBe(200);
    await eventually(
      () => view(ann, issued.id),
      (v) => v.status === 'paid',
    );
    expect(await view(ann, issued.id)).toMatchObject({
      status: 'paid',
      received: sat(2_500),
      amount: sat(2_500),
      paidAt: expect.any(String),
    });
    expect(await h.account(ann)).toMatchObject({ id: ann, balance: sat(2_500), reserved: sat(0), available: sat(2_500) });

    // The outside payer tries again: the node refuses (already paid), and nothing more is credited.
    expect((await payAtNode(issued.paymentHash)).status).toBe(409);
    await settle();
    expect(await balanceOf(ann)).toBe('2500');
    expect(await creditsFor(issued.paymentHash)).toBe(1);

    // The credit is an ordinary deposit posting from the lightning network.
    const { rows } = await platform.db.pools.read.query(
      `SELECT e.account_id, e.amount_minor::int AS amount FROM ledger_entries e WHERE e.posting_id = $1 ORDER BY e.amount_minor`,
      [await depositPostingIdOf(issued.paymentHash)],
    );
    expect(rows).toEqual([
      { account_id: 'external:lightning', amount: -2_500 },
      { account_id: ann, amount: 2_500 },
    ]);
  });

  it('credits the same payment hash once: a replayed event, a second event id, another amount, the node reporting it too', async () => {
    const bob = customer('bob');
    const issued = await issue(bob, 1_000);
    const first = await sendInvoicePaid({ paymentHash: issued.paymentHash, amountSats: 1_000 });
    expect(first).toMatchObject({ status: 200, body: { duplicate: false } });
    expect(await balanceOf(bob)).toBe('1000');

    // The exact same event again: the inbox knows its id.
    const replay = await sendInvoicePaid({ paymentHash: issued.paymentHash, amountSats: 1_000 }, undefined, first.raw);
    expect(replay).toMatchObject({ status: 200, body: { duplicate: true } });
    // Another event id for the same hash, and another with a different amount: acknowledged, nothing credited.
    expect(await sendInvoicePaid({ paymentHash: issued.paymentHash, amountSats: 1_000 })).toMatchObject({
      status: 200,
      body: { duplicate: false },
    });
    expect(await sendInvoicePaid({ paymentHash: issued.paymentHash, amountSats: 5_000 })).toMatchObject({
      status: 200,
      body: { duplicate: false },
    });
    // The node still thinks it open; its outside payer pays it, and its own invoice.paid arrives too.
    const handled = await lightningWebhooksHandled();
    expect((await payAtNode(issued.paymentHash)).status).toBe(200);
    await eventually(lightningWebhooksHandled, (n) => n >= handled + 1);

    expect(await balanceOf(bob)).toBe('1000');
    expect(await creditsFor(issued.paymentHash)).toBe(1);
    expect(await view(bob, issued.id)).toMatchObject({ status: 'paid', received: sat(1_000) });
  });

  it('credits once when 10 reports of one payment arrive at once, each with its own event id', async () => {
    const cat = customer('cat');
    const issued = await issue(cat, 777);
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => sendInvoicePaid({ paymentHash: issued.paymentHash, amountSats: 777 })),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    expect(answers.every((a) => a.body.duplicate === false)).toBe(true);
    expect(await balanceOf(cat)).toBe('777');
    expect(await creditsFor(issued.paymentHash)).toBe(1);
    expect(await view(cat, issued.id)).toMatchObject({ status: 'paid', received: sat(777) });
  });

  it('credits every one of several invoices of one account paid at once', async () => {
    const dan = customer('dan');
    const issued = await Promise.all([100, 200, 300, 400, 500].map((n) => issue(dan, n)));
    const paid = await Promise.all(issued.map((i) => payAtNode(i.paymentHash)));
    expect(paid.map((r) => r.status)).toEqual(Array(5).fill(200));
    await eventually(
      () => balanceOf(dan),
      (balance) => balance === '1500',
    );
    for (const i of issued) expect(await view(dan, i.id)).toMatchObject({ status: 'paid', received: i.amount });
    await settle();
    expect(await balanceOf(dan)).toBe('1500');
  });

  it('credits what was received when it differs from what the invoice asked', async () => {
    const eve = customer('eve');
    const issued = await issue(eve, 1_000);
    expect(await sendInvoicePaid({ paymentHash: issued.paymentHash, amountSats: 1_200 })).toMatchObject({ status: 200 });
    expect(await balanceOf(eve)).toBe('1200');
    expect(await view(eve, issued.id)).toMatchObject({ status: 'paid', amount: sat(1_000), received: sat(1_200) });
    // A later report of the invoiced amount changes nothing.
    await sendInvoicePaid({ paymentHash: issued.paymentHash, amountSats: 1_000 });
    expect(await balanceOf(eve)).toBe('1200');
  });

  it('shows an unpaid invoice past its expiry as expired, and still credits a payment that arrives late', async () => {
    const fay = customer('fay');
    const issued = await issue(fay, 900);
    // The node's clock is real; move the invoice's expiry into the past in our record.
    await platform.db.pools.write.query(`UPDATE deposit_invoices SET expires_at = now() - interval '1 minute' WHERE id = $1`, [issued.id]);
    expect((await view(fay, issued.id)).status).toBe('expired');
    const dashboard = async () => (await platform.api.call('GET', `/customers/${fay}/dashboard`, { as: fay })).body.deposits;
    expect(await dashboard()).toEqual([await view(fay, issued.id)]); // the dashboard shows the same view
    expect(await sendInvoicePaid({ paymentHash: issued.paymentHash, amountSats: 900 })).toMatchObject({ status: 200 });
    expect(await view(fay, issued.id)).toMatchObject({ status: 'paid', received: sat(900) });
    expect(await dashboard()).toEqual([await view(fay, issued.id)]);
    expect(await balanceOf(fay)).toBe('900');
  });

  it('credits nothing for a payment hash we never issued, and acknowledges it', async () => {
    const { rows: before } = await platform.db.pools.read.query('SELECT count(*)::int AS n FROM ledger_postings');
    const unknown = await sendInvoicePaid({ paymentHash: 'f0'.repeat(32), amountSats: 5_000 });
    expect(unknown).toMatchObject({ status: 200, body: { duplicate: false } });
    // An invoice of the node that is no deposit invoice of ours (made at the node directly) is the same.
    const foreign = await h.invoice(300);
    const handled = await lightningWebhooksHandled();
    expect((await payAtNode(foreign.paymentHash)).status).toBe(200);
    await eventually(lightningWebhooksHandled, (n) => n >= handled + 1);
    const { rows: after } = await platform.db.pools.read.query('SELECT count(*)::int AS n FROM ledger_postings');
    expect(after[0].n).toBe(before[0].n);
    expect(await creditsFor('f0'.repeat(32))).toBe(0);
  });

  it('refuses a data field that does not parse (400 naming data.amountSats), crediting nothing', async () => {
    const gus = customer('gus');
    const issued = await issue(gus, 50);
    const refused = await sendInvoicePaid({ paymentHash: issued.paymentHash, amountSats: -50 });
    expect(refused.status).toBe(400);
    expect(await view(gus, issued.id)).toMatchObject({ status: 'open' });
    expect(await balanceOf(gus)).toBe('0');
  });
});

describe('POST /accounts/{id}/deposit-invoices refuses what it must, storing nothing', () => {
  it("refuses another customer's account (403), and shows an invoice to its owner only", async () => {
    const hal = customer('hal');
    const ivy = customer('ivy');
    const refused = await requestInvoice(hal, sat(100), { account: ivy });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(await storedInvoicesOf(hal)).toBe(0);
    expect(await storedInvoicesOf(ivy)).toBe(0);

    const issued = await issue(ivy, 100);
    expect((await platform.api.call('GET', `/accounts/${ivy}/deposit-invoices/${issued.id}`, { as: hal })).status).toBe(403);
    expect((await platform.api.call('GET', `/accounts/${hal}/deposit-invoices/${issued.id}`, { as: hal })).status).toBe(404);
    expect((await platform.api.call('GET', `/accounts/${ivy}/deposit-invoices/${crypto.randomUUID()}`, { as: ivy })).status).toBe(404);
    const notUuid = await platform.api.call('GET', `/accounts/${ivy}/deposit-invoices/nope`, { as: ivy });
    expect(notUuid.status).toBe(400);
    expect(notUuid.body.errors.map((e: { path: string }) => e.path)).toEqual(['invoiceId']);
    expect((await platform.api.call('POST', `/accounts/${ivy}/deposit-invoices`, { body: { amount: sat(1) } })).status).toBe(401);
  });

  it('refuses negative, fractional, zero, non-SAT, too large and missing amounts (400 naming amount…)', async () => {
    const jo = customer('jo');
    const cases: [unknown, string][] = [
      [sat('-5'), 'amount.amount'],
      [sat('1.5'), 'amount.amount'],
      [sat('0'), 'amount.amount'],
      [sat('10000001'), 'amount.amount'],
      [{ amount: '10.00', currency: 'USD' }, 'amount.currency'],
      [{ amount: '10', currency: 'DOGE' }, 'amount.currency'],
      [{ amount: 10, currency: 'SAT' }, 'amount.amount'],
      [undefined, 'amount'],
    ];
    for (const [amount, path] of cases) {
      const response = await requestInvoice(jo, amount);
      expect(response.status, JSON.stringify(amount)).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(response.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    }
    expect(await storedInvoicesOf(jo)).toBe(0);
    // The most one invoice may ask for is accepted.
    expect((await requestInvoice(jo, sat('10000000'))).status).toBe(201);
  });

  it('honours Idempotency-Key: the same request twice is one invoice; a refused request leaves the key free', async () => {
    const kim = customer('kim');
    const key = { 'idempotency-key': `deposit-invoice-${crypto.randomUUID()}` };
    expect((await requestInvoice(kim, sat('0'), { headers: key })).status).toBe(400);
    const first = await requestInvoice(kim, sat(321), { headers: key });
    const second = await requestInvoice(kim, sat(321), { headers: key });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(await storedInvoicesOf(kim)).toBe(1);
    expect((await requestInvoice(kim, sat(322), { headers: key })).status).toBe(422);
    expect(await storedInvoicesOf(kim)).toBe(1);
  });

  it('answers 503 when the lightning node does not answer, storing nothing and leaving the Idempotency-Key free', async () => {
    const lea = customer('lea');
    // The same database, with an API whose node is a port nobody listens on.
    const nodeless = await startTestApi({
      pools: platform.db.pools,
      workflows: platform.workflows,
      env: { LIGHTNING_NODE_URL: 'http://127.0.0.1:1' },
    });
    try {
      const key = { 'idempotency-key': `deposit-invoice-${crypto.randomUUID()}` };
      const down = await nodeless.call('POST', `/accounts/${lea}/deposit-invoices`, { as: lea, body: { amount: sat(400) }, headers: key });
      expect(down.status).toBe(503);
      expect(down.headers.get('content-type')).toContain('application/problem+json');
      expect(await storedInvoicesOf(lea)).toBe(0);
      // The node is back (the real API): the same key runs afresh.
      const retried = await requestInvoice(lea, sat(400), { headers: key });
      expect(retried.status).toBe(201);
      expect(retried.headers.get('idempotent-replayed')).toBeNull();
      expect(await storedInvoicesOf(lea)).toBe(1);
    } finally {
      await nodeless.close();
    }
  });
});
