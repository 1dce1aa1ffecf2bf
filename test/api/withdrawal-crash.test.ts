import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startHoldingProxy, type HoldingProxy } from '../support/holding-proxy.ts';
import { eventually, startPlatform, type TestPlatform } from '../support/platform.ts';
import { replayRecordedHistories } from '../support/replay.ts';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.ts';
import { withdrawalHelpers } from '../support/withdrawals.ts';

/**
 * Crashes: the worker process is SIGKILLed right after the reserve, while the pay request
 * is in flight at the node, and while the saga waits for the node's answer. A new worker
 * process finishes each saga; the node shows exactly one payment per withdrawal.
 */
let platform: TestPlatform;
/** In front of the lightning node simulator, so a test can catch a pay request in flight. */
let node: HoldingProxy;
const ran: string[] = [];
const h = withdrawalHelpers(() => platform);

beforeAll(async () => {
  let upstream = '';
  node = await startHoldingProxy(() => upstream);
  platform = await startPlatform({ worker: false, env: { LIGHTNING_NODE_URL: node.url, WITHDRAWAL_TIMEOUT: '8s' } });
  upstream = platform.simulators.urls.lightning;
}, 120_000);
afterEach(async () => {
  await h.expectLedgerBalanced();
});
afterAll(async () => {
  await node?.close();
  await platform?.stop();
});

async function startWorker(): Promise<WorkerProcess> {
  const worker = startWorkerProcess(platform.config, platform.db.url);
  await worker.ready;
  return worker;
}

async function withdraw(who: string, amount: number, memo?: string) {
  const { invoice, paymentHash } = await h.invoice(amount, memo);
  const { status, body } = await h.withdraw(who, amount, invoice);
  expect(status).toBe(202);
  ran.push(body.workflowId);
  return { id: body.id as string, workflowId: body.workflowId as string, paymentHash };
}

describe('a crashing worker', () => {
  it('is killed right after the reserve; a new worker pays once', async () => {
    const lou = `lou-${crypto.randomUUID()}`;
    await h.deposit(lou, 5_000);
    const first = await startWorker();
    const { id, paymentHash } = await withdraw(lou, 2_000);
    await eventually(
      async () => (await platform.db.pools.read.query('SELECT status FROM reservations WHERE id = $1', [id])).rows,
      (rows) => rows.length > 0,
      30_000,
    );
    await first.crash();
    expect((await h.account(lou)).reserved).toEqual(h.sat(2_000));

    const second = await startWorker();
    try {
      expect(await h.finished(lou, id, 60_000)).toMatchObject({ status: 'paid' });
      expect(await h.account(lou)).toMatchObject({ balance: h.sat(3_000), reserved: h.sat(0) });
      expect(await h.paymentAtNode(paymentHash)).toMatchObject({ status: 'succeeded', withdrawalId: id });
    } finally {
      await second.stop();
    }
  }, 120_000);

  it('is killed while the pay request is in flight; the retry finds the payment and never pays twice', async () => {
    const max = `max-${crypto.randomUUID()}`;
    await h.deposit(max, 5_000);
    const first = await startWorker();
    const hold = node.holdNext('/payments');
    const { id, paymentHash } = await withdraw(max, 1_000);
    await hold.forwarded; // the node has the payment; the activity awaits its answer…
    await first.crash(); // …and dies before it arrives
    hold.release();

    const second = await startWorker();
    try {
      expect(await h.finished(max, id, 90_000)).toMatchObject({ status: 'paid' });
      expect(await h.account(max)).toMatchObject({ balance: h.sat(4_000), reserved: h.sat(0) });
      expect(await h.paymentAtNode(paymentHash)).toMatchObject({ status: 'succeeded', withdrawalId: id });
      const { rows } = await platform.db.pools.read.query(
        `SELECT count(*)::int AS n FROM ledger_postings WHERE kind = 'withdrawal' AND reference = $1`,
        [id],
      );
      expect(rows[0].n).toBe(1);
    } finally {
      await second.stop();
    }
  }, 150_000);

  it('is killed while the saga waits for the node; the new worker asks, keeps the reservation, and settles when the node pays', async () => {
    const ned = `ned-${crypto.randomUUID()}`;
    await h.deposit(ned, 5_000);
    const first = await startWorker();
    const { id, workflowId, paymentHash } = await withdraw(ned, 1_200, 'hold');
    await eventually(
      () => platform.api.call('GET', `/sagas/${workflowId}`, { as: ned }),
      (r) => r.body.step === 'awaiting-node',
      30_000,
    );
    await first.crash();

    // Watched at the node, not through a saga query. A query answered by the new worker while the dead
    // worker's sticky task is still pending lets that worker run the saga ahead of its history; if a
    // signal then lands in the same task, the next replay can take the other branch (seen with SDK
    // 1.24; the sagas are written so that both orders lead to the same next step, see the README).
    const asked = node.holdNext(`/payments/${paymentHash}`);
    const second = await startWorker();
    try {
      // Past the timeout the new worker asks the node, hears "pending", and releases nothing.
      await asked.forwarded;
      asked.release();
      expect((await platform.api.call('GET', `/withdrawals/${id}`, { as: ned })).body.status).toBe('accepted');
      expect(await h.account(ned)).toMatchObject({ balance: h.sat(5_000), reserved: h.sat(1_200), available: h.sat(3_800) });

      expect((await fetch(`${platform.simulators.urls.lightning}/payments/${paymentHash}/settle`, { method: 'POST' })).status).toBe(200);
      expect(await h.finished(ned, id, 60_000)).toMatchObject({ status: 'paid' });
      expect(await h.account(ned)).toMatchObject({ balance: h.sat(3_800), reserved: h.sat(0), available: h.sat(3_800) });
      expect(await h.paymentAtNode(paymentHash)).toMatchObject({ status: 'succeeded', withdrawalId: id });
    } finally {
      await second.stop();
    }
  }, 120_000);

  it('leaves histories that replay deterministically', async () => {
    expect(await replayRecordedHistories(platform.workflows, ran)).toBe(ran.length);
  });
});
