import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateNodeKey, issueInvoice } from '../../src/simulators/bolt11-invoices.ts';
import { signWebhook } from '../../src/platform/http/webhook-signature.ts';
import { forgetIdempotentAnswer } from '../support/forget-idempotent-answer.ts';
import { eventually, startPlatform, type TestPlatform } from '../support/platform.ts';
import { replayRecordedHistories } from '../support/replay.ts';
import { withdrawalHelpers } from '../support/withdrawals.ts';

/**
 * The bitcoin-withdrawal saga end to end, through HTTP only: deposits, invoices from the
 * lightning node simulator, withdrawals, the node's signed webhooks, and the ledger
 * audited after every test.
 */
let platform: TestPlatform;
const ran: string[] = [];
const h = withdrawalHelpers(() => platform);

beforeAll(async () => {
  platform = await startPlatform();
}, 120_000);
afterEach(async () => {
  await h.expectLedgerBalanced();
});
afterAll(() => platform?.stop());

const customer = (name: string) => `${name}-${crypto.randomUUID()}`;

async function withdrawOk(who: string, amount: number, invoice: string) {
  const response = await h.withdraw(who, amount, invoice);
  expect(response.status).toBe(202);
  expect(response.body.workflowId).toBe(`bitcoin-withdrawal-${response.body.id}`);
  ran.push(response.body.workflowId);
  return response.body as { id: string; workflowId: string };
}

describe('a bitcoin withdrawal', () => {
  it('is paid: deposit, invoice, withdraw; the saga completes, the balance drops, nothing stays reserved', async () => {
    const ann = customer('ann');
    const deposited = await h.deposit(ann, 10_000);
    expect(deposited.account).toMatchObject({ id: ann, balance: h.sat(10_000), reserved: h.sat(0), available: h.sat(10_000) });
    const { invoice, paymentHash } = await h.invoice(2_500);

    const { id, workflowId } = await withdrawOk(ann, 2_500, invoice);
    const withdrawal = await h.finished(ann, id);
    expect(withdrawal).toMatchObject({ id, status: 'paid', amount: h.sat(2_500), paymentHash, accountId: ann });
    const saga = await platform.api.call('GET', `/sagas/${workflowId}`, { as: ann });
    expect(saga.body).toMatchObject({ status: 'completed', type: 'bitcoinWithdrawal', step: 'paid', withdrawalId: id, accountId: ann });
    // Whether the node's webhook came while the saga paid or while it waited (then it asks the node too).
    const steps = saga.body.history.map((s: { step: string }) => s.step);
    expect(steps.slice(0, 2)).toEqual(['reserving-funds', 'paying']);
    expect(steps.slice(-2)).toEqual(['settling', 'paid']);
    expect(await h.account(ann)).toMatchObject({ balance: h.sat(7_500), reserved: h.sat(0), available: h.sat(7_500) });
    expect(await h.paymentAtNode(paymentHash)).toMatchObject({ status: 'succeeded', withdrawalId: id });

    const events = await platform.api.call('GET', `/withdrawals/${id}/events`, { as: ann });
    expect(events.body.map((e: { type: string }) => e.type)).toEqual(['WithdrawalRequested', 'WithdrawalAccepted', 'WithdrawalPaid']);
    await eventually(
      () => h.kindsFor(ann),
      (kinds) => kinds.includes('withdrawal-paid'),
    );

    const dashboard = await platform.api.call('GET', `/customers/${ann}/dashboard`, { as: ann });
    expect(dashboard.body).toMatchObject({
      balance: h.sat(7_500),
      reserved: h.sat(0),
      available: h.sat(7_500),
      withdrawals: [{ id, status: 'paid' }],
      bids: [],
      payments: [],
    });
    expect((await platform.api.call('GET', `/customers/${ann}/dashboard`, { as: customer('eve') })).status).toBe(403);

    // The saga's search attributes name the withdrawal and its owner.
    const described = await platform.workflows.client.workflow.getHandle(workflowId).describe();
    expect(described.searchAttributes).toMatchObject({ WithdrawalId: [id], CustomerId: [ann] });
  });

  it('is rejected when the balance is too low: nothing reserved, nothing paid, the customer told', async () => {
    const bob = customer('bob');
    await h.deposit(bob, 1_000);
    const { invoice, paymentHash } = await h.invoice(5_000);
    const { id } = await withdrawOk(bob, 5_000, invoice);
    expect(await h.finished(bob, id)).toMatchObject({ status: 'rejected', reason: 'insufficient funds' });
    expect(await h.account(bob)).toMatchObject({ balance: h.sat(1_000), reserved: h.sat(0), available: h.sat(1_000) });
    expect(await h.paymentAtNode(paymentHash)).toBeUndefined();
    await eventually(
      () => h.kindsFor(bob),
      (kinds) => kinds.includes('withdrawal-rejected'),
    );
  });

  it('is rejected for a customer who never deposited', async () => {
    const cat = customer('cat');
    const { invoice } = await h.invoice(10);
    const { id } = await withdrawOk(cat, 10, invoice);
    expect((await h.finished(cat, id)).status).toBe('rejected');
    expect(await h.account(cat)).toMatchObject({ balance: h.sat(0), reserved: h.sat(0), available: h.sat(0) });
  });

  it('fails when the node fails to pay (memo "fail"), releasing the reservation', async () => {
    const dan = customer('dan');
    await h.deposit(dan, 3_000);
    const { invoice, paymentHash } = await h.invoice(2_000, 'fail');
    const { id, workflowId } = await withdrawOk(dan, 2_000, invoice);
    expect(await h.finished(dan, id)).toMatchObject({ status: 'failed', reason: expect.stringContaining('failed') });
    expect(await h.account(dan)).toMatchObject({ balance: h.sat(3_000), reserved: h.sat(0), available: h.sat(3_000) });
    expect(await h.paymentAtNode(paymentHash)).toMatchObject({ status: 'failed' });
    const saga = await platform.api.call('GET', `/sagas/${workflowId}`, { as: dan });
    expect(saga.body).toMatchObject({ status: 'completed', step: 'failed' });
    expect(saga.body.history.map((s: { step: string }) => s.step)).toContain('releasing');
    await eventually(
      () => h.kindsFor(dan),
      (kinds) => kinds.includes('withdrawal-failed'),
    );
  });

  it('pays at most the balance when 20 withdrawals race for it; available never goes negative', async () => {
    const eve = customer('eve');
    await h.deposit(eve, 10_000);
    const invoices = await Promise.all(Array.from({ length: 20 }, () => h.invoice(1_000)));

    let sampling = true;
    const seen: bigint[] = [];
    const sampler = (async () => {
      while (sampling) {
        const { rows } = await platform.db.pools.read.query(
          'SELECT balance_minor - reserved_minor AS available FROM accounts WHERE id = $1',
          [eve],
        );
        seen.push(BigInt(rows[0].available));
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();

    const started = await Promise.all(invoices.map(({ invoice }) => withdrawOk(eve, 1_000, invoice)));
    const finished = await Promise.all(started.map(({ id }) => h.finished(eve, id, 60_000)));
    sampling = false;
    await sampler;

    const paid = finished.filter((w) => w.status === 'paid');
    const rejected = finished.filter((w) => w.status === 'rejected');
    expect(paid.length + rejected.length).toBe(20);
    expect(paid.length * 1_000).toBeLessThanOrEqual(10_000);
    expect(paid.length).toBe(10); // every satoshi that could be paid was
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((available) => available >= 0n)).toBe(true);
    expect(await h.account(eve)).toMatchObject({ balance: h.sat(10_000 - paid.length * 1_000), reserved: h.sat(0) });
    for (const w of paid) expect(await h.paymentAtNode(w.paymentHash)).toMatchObject({ status: 'succeeded', withdrawalId: w.id });
    for (const w of rejected) expect(await h.paymentAtNode(w.paymentHash)).toBeUndefined();
  }, 120_000);
});

describe('POST /withdrawals refuses what it must, changing nothing', () => {
  it('honours Idempotency-Key: the same request twice is one withdrawal', async () => {
    const fay = customer('fay');
    await h.deposit(fay, 5_000);
    const { invoice } = await h.invoice(1_000);
    const key = { 'idempotency-key': `withdraw-${crypto.randomUUID()}` };
    const first = await h.withdraw(fay, 1_000, invoice, key);
    const second = await h.withdraw(fay, 1_000, invoice, key);
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    ran.push(first.body.workflowId);
    await h.finished(fay, first.body.id);
    const { rows } = await platform.db.pools.read.query('SELECT id FROM withdrawals WHERE customer_id = $1', [fay]);
    expect(rows).toEqual([{ id: first.body.id }]);
    expect(await h.account(fay)).toMatchObject({ balance: h.sat(4_000), reserved: h.sat(0) });
    // The same key with another body is refused; the same invoice without a key finds it taken.
    expect((await h.withdraw(fay, 999, invoice, key)).status).toBe(422);
    expect((await h.withdraw(fay, 1_000, invoice)).status).toBe(409);
  });

  it('answers a retry with the withdrawal its first try made, when the API died before storing that answer', async () => {
    // The chaos harness: an API SIGKILLed after the withdrawal committed but before its
    // answer was stored leaves the key claimed and unanswered; once the lease lapsed, the
    // retry ran the request again and was refused (409, "invoice already being paid")
    // instead of getting the withdrawal its own first try had made.
    const ida = customer('ida');
    await h.deposit(ida, 5_000);
    const { invoice } = await h.invoice(1_000);
    const key = `withdraw-${crypto.randomUUID()}`;
    const first = await h.withdraw(ida, 1_000, invoice, { 'idempotency-key': key });
    expect(first.status).toBe(202);
    ran.push(first.body.workflowId);
    await forgetIdempotentAnswer(platform.db.pools.write, ida, key);

    const retried = await h.withdraw(ida, 1_000, invoice, { 'idempotency-key': key });
    expect(retried.status).toBe(202);
    expect(retried.body).toEqual(first.body);
    await h.finished(ida, first.body.id);
    const { rows } = await platform.db.pools.read.query('SELECT id FROM withdrawals WHERE customer_id = $1', [ida]);
    expect(rows).toEqual([{ id: first.body.id }]);
  });

  it('credits a test deposit once when the API died before storing its answer', async () => {
    const jon = customer('jon');
    const key = `deposit-${crypto.randomUUID()}`;
    const deposit = () =>
      platform.api.call('POST', `/accounts/${jon}/deposits`, {
        as: jon,
        body: { amount: h.sat(700) },
        headers: { 'idempotency-key': key },
      });
    const first = await deposit();
    expect(first.status).toBe(201);
    await forgetIdempotentAnswer(platform.db.pools.write, jon, key);

    const retried = await deposit();
    expect(retried.status).toBe(201);
    expect(retried.body.postingId).toBe(first.body.postingId);
    expect(await h.account(jon)).toMatchObject({ balance: h.sat(700) });
  });

  it("is 403 for another customer's account, and for another customer's withdrawal or account", async () => {
    const gus = customer('gus');
    const mallory = customer('mallory');
    await h.deposit(gus, 5_000);
    const { invoice } = await h.invoice(1_000);
    const response = await platform.api.call('POST', '/withdrawals', {
      as: mallory,
      body: { accountId: gus, amount: h.sat(1_000), invoice },
    });
    expect(response.status).toBe(403);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect((await platform.api.call('GET', `/accounts/${gus}`, { as: mallory })).status).toBe(403);
    expect((await platform.api.call('POST', `/accounts/${gus}/deposits`, { as: mallory, body: { amount: h.sat(1) } })).status).toBe(403);
    expect((await platform.api.call('POST', '/withdrawals', { body: { accountId: gus, amount: h.sat(1_000), invoice } })).status).toBe(401);

    const { id } = await withdrawOk(gus, 1_000, invoice);
    expect((await platform.api.call('GET', `/withdrawals/${id}`, { as: mallory })).status).toBe(403);
    expect((await platform.api.call('GET', `/withdrawals/${id}/events`, { as: mallory })).status).toBe(403);
    expect((await platform.api.call('GET', `/sagas/bitcoin-withdrawal-${id}`, { as: mallory })).status).toBe(403);
    await h.finished(gus, id);
    expect(await h.account(gus)).toMatchObject({ balance: h.sat(4_000), reserved: h.sat(0) });
  });

  it('is 400 for a bad invoice and 422 for a wrong amount or an expired invoice', async () => {
    const hal = customer('hal');
    await h.deposit(hal, 5_000);
    const before = await h.account(hal);

    const bad = await h.withdraw(hal, 1_000, 'lnbc1notaninvoice');
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ path: 'invoice' })]);

    const { invoice } = await h.invoice(1_000);
    const mismatch = await h.withdraw(hal, 1_001, invoice);
    expect(mismatch.status).toBe(422);
    expect(mismatch.body.detail).toMatch(/1000000 msat/);

    const expired = await issueInvoice({
      nodeKey: generateNodeKey(),
      amountSats: 1_000,
      memo: '',
      nowSeconds: Math.floor(Date.now() / 1000) - 7_200,
    });
    const late = await h.withdraw(hal, 1_000, expired.invoice);
    expect(late.status).toBe(422);
    expect(late.body.detail).toMatch(/expired/);

    const wrongCurrency = await platform.api.call('POST', '/withdrawals', {
      as: hal,
      body: { accountId: hal, amount: { amount: '1.00', currency: 'USD' }, invoice },
    });
    expect(wrongCurrency.status).toBe(400);

    expect(await h.account(hal)).toEqual(before);
    const { rows } = await platform.db.pools.read.query('SELECT count(*)::int AS n FROM withdrawals WHERE customer_id = $1', [hal]);
    expect(rows[0].n).toBe(0);
  });

  it('refuses a deposit that is not SAT, or not more than zero', async () => {
    const ivy = customer('ivy');
    expect(
      (await platform.api.call('POST', `/accounts/${ivy}/deposits`, { as: ivy, body: { amount: { amount: '1.00', currency: 'USD' } } }))
        .status,
    ).toBe(400);
    expect((await platform.api.call('POST', `/accounts/${ivy}/deposits`, { as: ivy, body: { amount: h.sat(0) } })).status).toBe(400);
    expect(
      (await platform.api.call('POST', `/accounts/${ivy}/deposits`, { as: ivy, body: { amount: { amount: '1.5', currency: 'SAT' } } }))
        .status,
    ).toBe(400);
    expect(await h.account(ivy)).toMatchObject({ balance: h.sat(0), version: 0 });
  });

  it('takes a deposit once per Idempotency-Key', async () => {
    const jo = customer('jo');
    const key = { 'idempotency-key': `deposit-${crypto.randomUUID()}` };
    for (let i = 0; i < 2; i++) {
      const response = await platform.api.call('POST', `/accounts/${jo}/deposits`, { as: jo, body: { amount: h.sat(700) }, headers: key });
      expect(response.status).toBe(201);
    }
    expect(await h.account(jo)).toMatchObject({ balance: h.sat(700), available: h.sat(700) });
  });
});

describe('POST /webhooks/lightning', () => {
  it('refuses an unsigned or wrongly signed event (401)', async () => {
    const body = JSON.stringify({
      id: `evt_${crypto.randomUUID()}`,
      type: 'payment.succeeded',
      data: { withdrawalId: crypto.randomUUID(), paymentHash: 'a'.repeat(64) },
    });
    const unsigned = await fetch(`${platform.api.url}/webhooks/lightning`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(unsigned.status).toBe(401);
    const wrong = await fetch(`${platform.api.url}/webhooks/lightning`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-signature': await signWebhook('not-the-lightning-secret', body, Math.floor(Date.now() / 1000)),
      },
      body,
    });
    expect(wrong.status).toBe(401);
    const signed = await fetch(`${platform.api.url}/webhooks/lightning`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-signature': await signWebhook(platform.config.LIGHTNING_WEBHOOK_SECRET, body, Math.floor(Date.now() / 1000)),
      },
      body,
    });
    expect(signed.status).toBe(200); // verified, but for no withdrawal of ours: ignored
  });
});

describe('determinism', () => {
  it('replays every recorded withdrawal history', async () => {
    expect(ran.length).toBeGreaterThan(20);
    expect(await replayRecordedHistories(platform.workflows, ran)).toBe(ran.length);
  }, 120_000);
});
