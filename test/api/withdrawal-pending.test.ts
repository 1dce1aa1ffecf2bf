import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startPlatform, type TestPlatform } from '../support/platform.ts';
import { replayRecordedHistories } from '../support/replay.ts';
import { withdrawalHelpers } from '../support/withdrawals.ts';

/**
 * A lightning payment the node keeps pending (docs/design.md, property 11: release only on a
 * definite "no"). With WITHDRAWAL_TIMEOUT of a second the saga asks the node again and
 * again; the reservation is held however long it takes; success at any time settles once.
 */
let platform: TestPlatform;
const ran: string[] = [];
const h = withdrawalHelpers(() => platform);

beforeAll(async () => {
  platform = await startPlatform({ env: { WITHDRAWAL_TIMEOUT: '1s', WITHDRAWAL_ASKS_PER_RUN: '3' } });
}, 120_000);
afterEach(async () => {
  await h.expectLedgerBalanced();
});
afterAll(() => platform?.stop());

const nodeControl = (path: string) => fetch(`${platform.simulators.urls.lightning}${path}`, { method: 'POST' });
const steps = async (customer: string, workflowId: string) =>
  ((await platform.api.call('GET', `/sagas/${workflowId}`, { as: customer })).body.history as { step: string }[]).map((s) => s.step);

describe('a withdrawal the node keeps pending', () => {
  it('keeps the reservation while the node says pending, past many timeouts, and settles once when it pays', async () => {
    const kim = `kim-${crypto.randomUUID()}`;
    await h.deposit(kim, 4_000);
    const { invoice, paymentHash } = await h.invoice(1_500, 'hold');
    const { status, body } = await h.withdraw(kim, 1_500, invoice);
    expect(status).toBe(202);
    ran.push(body.workflowId);

    // Three timeouts later the saga has asked the node again and again, and released nothing.
    await eventually(
      () => steps(kim, body.workflowId),
      (history) => history.filter((s) => s === 'asking-node').length >= 2,
      15_000,
    );
    expect((await platform.api.call('GET', `/withdrawals/${body.id}`, { as: kim })).body.status).toBe('accepted');
    expect(await h.account(kim)).toMatchObject({ balance: h.sat(4_000), reserved: h.sat(1_500), available: h.sat(2_500) });
    expect(await h.paymentAtNode(paymentHash)).toMatchObject({ status: 'pending' });

    expect((await nodeControl(`/payments/${paymentHash}/settle`)).status).toBe(200);
    expect(await h.finished(kim, body.id)).toMatchObject({ status: 'paid' });
    expect(await h.account(kim)).toMatchObject({ balance: h.sat(2_500), reserved: h.sat(0), available: h.sat(2_500) });
    expect(await h.paymentAtNode(paymentHash)).toMatchObject({ status: 'succeeded' });
    expect((await h.kindsFor(kim)).filter((k) => k === 'withdrawal-paid')).toHaveLength(1);
  });

  it('releases the funds only when the node says definitely no (a held payment cancelled)', async () => {
    const lee = `lee-${crypto.randomUUID()}`;
    await h.deposit(lee, 2_000);
    const { invoice, paymentHash } = await h.invoice(700, 'hold');
    const { body } = await h.withdraw(lee, 700, invoice);
    ran.push(body.workflowId);
    await eventually(
      () => steps(lee, body.workflowId),
      (history) => history.includes('asking-node'),
      10_000,
    );
    expect(await h.account(lee)).toMatchObject({ reserved: h.sat(700) });

    expect((await nodeControl(`/payments/${paymentHash}/cancel`)).status).toBe(200);
    // "(cancelled)" comes with the webhook; the saga's own ask may hear "failed" first, without the why.
    expect(await h.finished(lee, body.id)).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(/^the lightning payment failed/),
    });
    expect(await h.account(lee)).toMatchObject({ balance: h.sat(2_000), reserved: h.sat(0), available: h.sat(2_000) });
  });

  it('fails a "hang" payment when its invoice expires at the node, and only then releases', async () => {
    const max = `max-${crypto.randomUUID()}`;
    await h.deposit(max, 1_000);
    const { invoice } = await h.invoice(400, 'hang', 4);
    const { body } = await h.withdraw(max, 400, invoice);
    ran.push(body.workflowId);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect((await platform.api.call('GET', `/withdrawals/${body.id}`, { as: max })).body.status).toBe('accepted');
    expect(await h.account(max)).toMatchObject({ reserved: h.sat(400) });

    expect(await h.finished(max, body.id, 20_000)).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(/^the lightning payment failed/),
    });
    expect(await h.account(max)).toMatchObject({ balance: h.sat(1_000), reserved: h.sat(0) });
  });

  it('cancelled while the node says pending: keeps the reservation, and the late success settles it without the saga', async () => {
    const zoe = `zoe-${crypto.randomUUID()}`;
    await h.deposit(zoe, 3_000);
    const { invoice, paymentHash } = await h.invoice(1_200, 'hold');
    const { body } = await h.withdraw(zoe, 1_200, invoice);
    await eventually(
      () => steps(zoe, body.workflowId),
      (history) => history.includes('awaiting-node'),
      10_000,
    );
    await platform.workflows.client.workflow.getHandle(body.workflowId).cancel();
    await eventually(
      () => platform.api.call('GET', `/sagas/${body.workflowId}`, { as: zoe }),
      (r) => r.body.status === 'cancelled',
    );
    expect(await steps(zoe, body.workflowId)).toContain('cancelled-payment-pending');
    expect((await platform.api.call('GET', `/withdrawals/${body.id}`, { as: zoe })).body.status).toBe('accepted');
    expect(await h.account(zoe)).toMatchObject({ balance: h.sat(3_000), reserved: h.sat(1_200) });

    expect((await nodeControl(`/payments/${paymentHash}/settle`)).status).toBe(200);
    await eventually(
      () => platform.api.call('GET', `/withdrawals/${body.id}`, { as: zoe }),
      (r) => r.body.status === 'paid',
    );
    expect(await h.account(zoe)).toMatchObject({ balance: h.sat(1_800), reserved: h.sat(0), available: h.sat(1_800) });
  });

  it('hands a long wait to a new run (continue-as-new), still holding the funds, and settles there', async () => {
    const ivy = `ivy-${crypto.randomUUID()}`;
    await h.deposit(ivy, 2_000);
    const { invoice, paymentHash } = await h.invoice(900, 'hold');
    const { body } = await h.withdraw(ivy, 900, invoice);
    const handle = platform.workflows.client.workflow.getHandle(body.workflowId);
    const firstRun = (await handle.describe()).runId;
    // Three asks (after 1 s, 2 s and 4 s) fill a run; the fourth wait belongs to the next one.
    await eventually(
      async () => (await handle.describe()).runId,
      (runId) => runId !== firstRun,
      20_000,
    );
    const saga = (await platform.api.call('GET', `/sagas/${body.workflowId}`, { as: ivy })).body;
    expect(saga).toMatchObject({ status: 'running', step: 'awaiting-node' });
    expect((await platform.api.call('GET', `/withdrawals/${body.id}`, { as: ivy })).body.status).toBe('accepted');
    expect(await h.account(ivy)).toMatchObject({ balance: h.sat(2_000), reserved: h.sat(900) });

    expect((await nodeControl(`/payments/${paymentHash}/settle`)).status).toBe(200);
    expect(await h.finished(ivy, body.id)).toMatchObject({ status: 'paid' });
    expect(await h.account(ivy)).toMatchObject({ balance: h.sat(1_100), reserved: h.sat(0) });
    ran.push(body.workflowId);
  });

  it('replays its histories', async () => {
    expect(await replayRecordedHistories(platform.workflows, ran)).toBe(ran.length);
  });
});
