import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type TestPlatform } from '../support/platform.ts';
import { withdrawalHelpers } from '../support/withdrawals.ts';

/** Transfers between SAT accounts, through HTTP: one posting each, own account only, never an overdraft. */
let platform: TestPlatform;
const h = withdrawalHelpers(() => platform);

beforeAll(async () => {
  platform = await startPlatform({ worker: false });
}, 120_000);
afterEach(() => h.expectLedgerBalanced());
afterAll(() => platform?.stop());

const customer = (name: string) => `${name}-${crypto.randomUUID()}`;
const send = (from: string, to: string, amount: unknown, options: { as?: string; headers?: Record<string, string> } = {}) =>
  platform.api.call('POST', '/transfers', {
    as: options.as ?? from,
    body: { fromAccountId: from, toAccountId: to, amount: typeof amount === 'number' ? h.sat(amount) : amount },
    headers: options.headers,
  });
const postingsCount = async () =>
  (await platform.db.pools.read.query(`SELECT count(*)::int AS n FROM ledger_postings WHERE kind = 'transfer'`)).rows[0].n;

describe('a transfer', () => {
  it('moves SAT in one posting and shows on both dashboards', async () => {
    const [ann, bob] = [customer('ann'), customer('bob')];
    await h.deposit(ann, 1_000);
    await h.deposit(bob, 1);
    const response = await send(ann, bob, 300);
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ fromAccountId: ann, toAccountId: bob, amount: h.sat(300), account: { balance: h.sat(700) } });
    expect(await h.account(bob)).toMatchObject({ balance: h.sat(301) });
    const { rows } = await platform.db.pools.read.query(
      'SELECT account_id, amount_minor::int AS amount FROM ledger_entries WHERE posting_id = $1 ORDER BY amount_minor',
      [response.body.id],
    );
    expect(rows).toEqual([
      { account_id: ann, amount: -300 },
      { account_id: bob, amount: 300 },
    ]);
    for (const who of [ann, bob]) {
      const dashboard = (await platform.api.call('GET', `/customers/${who}/dashboard`, { as: who })).body;
      expect(dashboard.transfers).toEqual([
        expect.objectContaining({ id: response.body.id, fromAccountId: ann, toAccountId: bob, amount: h.sat(300) }),
      ]);
    }
  });

  it('never overdraws, however many run at once', async () => {
    const [ann, bob, cat] = [customer('ann'), customer('bob'), customer('cat')];
    await h.deposit(ann, 1_000);
    await h.deposit(bob, 1_000);
    await h.deposit(cat, 1);
    // 20 × 100 from ann (only 10 fit), and 20 opposite transfers between ann and bob to tempt a deadlock.
    const answers = await Promise.all([
      ...Array.from({ length: 20 }, () => send(ann, cat, 100)),
      ...Array.from({ length: 10 }, () => send(bob, ann, 1)),
      ...Array.from({ length: 10 }, () => send(ann, bob, 1)),
    ]);
    const toCat = answers.slice(0, 20).map((a) => a.status);
    expect(toCat.filter((s) => s === 201).length + toCat.filter((s) => s === 422).length).toBe(20);
    expect(answers.slice(20).every((a) => a.status === 201 || a.status === 422)).toBe(true);
    const annAccount = await h.account(ann);
    expect(Number(annAccount.balance.amount)).toBeGreaterThanOrEqual(0);
    const catAccount = await h.account(cat);
    expect(Number(catAccount.balance.amount)).toBe(1 + 100 * toCat.filter((s) => s === 201).length);
    const bobAccount = await h.account(bob);
    expect(Number(annAccount.balance.amount) + Number(bobAccount.balance.amount) + Number(catAccount.balance.amount)).toBe(2_001);
  }, 60_000);

  it('is made once per Idempotency-Key', async () => {
    const [ann, bob] = [customer('ann'), customer('bob')];
    await h.deposit(ann, 100);
    await h.deposit(bob, 1);
    const headers = { 'idempotency-key': crypto.randomUUID() };
    const first = await send(ann, bob, 60, { headers });
    const again = await send(ann, bob, 60, { headers });
    expect(again.body.id).toBe(first.body.id);
    expect(await h.account(ann)).toMatchObject({ balance: h.sat(40) });
  });

  it('refuses what it must, with a problem naming the field, and moves nothing', async () => {
    const [ann, bob, eve] = [customer('ann'), customer('bob'), customer('eve')];
    await h.deposit(ann, 100);
    await h.deposit(bob, 1);
    const before = await postingsCount();
    const refusals: [Awaited<ReturnType<typeof send>>, number, string?][] = [
      [await send(ann, bob, 101), 422],
      [await send(ann, customer('nobody'), 1), 404],
      [await send(ann, bob, 1, { as: eve }), 403],
      [await send(ann, ann, 1), 400, 'toAccountId'],
      [await send(ann, bob, 0), 400, 'amount.amount'],
      [await send(ann, bob, { amount: '-1', currency: 'SAT' }), 400, 'amount.amount'],
      [await send(ann, bob, { amount: '1.5', currency: 'SAT' }), 400, 'amount.amount'],
      [await send(ann, bob, { amount: '1.00', currency: 'USD' }), 400, 'amount.currency'],
      [await send(eve, bob, 1), 422], // an account never opened holds nothing
    ];
    for (const [response, status, field] of refusals) {
      expect(response.status, JSON.stringify(response.body)).toBe(status);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      if (field) expect(response.body.errors.map((e: { path: string }) => e.path)).toContain(field);
    }
    expect(await postingsCount()).toBe(before);
    expect(await h.account(ann)).toMatchObject({ balance: h.sat(100) });
  });
});
