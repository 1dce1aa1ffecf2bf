import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type TestPlatform } from '../support/platform.ts';
import { replayRecordedHistories } from '../support/replay.ts';
import { withdrawalHelpers } from '../support/withdrawals.ts';

/**
 * The node never answers (memo `hang`): after WITHDRAWAL_TIMEOUT the saga asks it for
 * the payment's status and ends consistently, reservation released, nothing paid twice.
 */
let platform: TestPlatform;
const ran: string[] = [];
const h = withdrawalHelpers(() => platform);

beforeAll(async () => {
  platform = await startPlatform({ env: { WITHDRAWAL_TIMEOUT: '2s' } });
}, 120_000);
afterEach(async () => {
  await h.expectLedgerBalanced();
});
afterAll(() => platform?.stop());

describe('a withdrawal the node never answers', () => {
  it('asks the node after the timeout and releases the reservation', async () => {
    const kim = `kim-${crypto.randomUUID()}`;
    await h.deposit(kim, 4_000);
    const { invoice, paymentHash } = await h.invoice(1_500, 'hang');
    const { status, body } = await h.withdraw(kim, 1_500, invoice);
    expect(status).toBe(202);
    ran.push(body.workflowId);

    // While it waits, the funds are held.
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(await h.account(kim)).toMatchObject({ balance: h.sat(4_000), reserved: h.sat(1_500), available: h.sat(2_500) });

    const started = Date.now();
    const withdrawal = await h.finished(kim, body.id);
    expect(Date.now() - started).toBeGreaterThan(500); // it did wait for the timeout
    expect(withdrawal).toMatchObject({ status: 'failed', reason: 'no answer from the lightning node in time' });
    const saga = await platform.api.call('GET', `/sagas/${body.workflowId}`, { as: kim });
    expect(saga.body.history.map((s: { step: string }) => s.step)).toEqual([
      'reserving-funds',
      'accepting',
      'paying',
      'awaiting-node',
      'asking-node',
      'releasing',
      'failed',
    ]);
    expect(await h.account(kim)).toMatchObject({ balance: h.sat(4_000), reserved: h.sat(0), available: h.sat(4_000) });
    // One payment at the node, still pending: it was asked, never paid again.
    expect(await h.paymentAtNode(paymentHash)).toMatchObject({ status: 'pending', withdrawalId: body.id });
  });

  it('replays its history', async () => {
    expect(await replayRecordedHistories(platform.workflows, ran)).toBe(ran.length);
  });
});
