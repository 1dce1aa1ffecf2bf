import { ApplicationFailure, defaultPayloadConverter } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import type { BitcoinActivities } from '../../activities/bitcoin.ts';
import type { SettingsActivities } from '../../activities/settings.ts';
import { bitcoinWithdrawalSaga, type BitcoinWithdrawalInput } from '../../workflows/bitcoin-withdrawal.contract.ts';
import { bitcoinWithdrawal } from '../../workflows/bitcoin-withdrawal.ts';
import {
  CallLog,
  blockUntilCancelled,
  currentWorkflowId,
  recorded,
  sagaState,
  sagaTestWorkerForThisFile,
  stepsOf,
  until,
  waitForStep,
  TEST_SAGA_TIMEOUTS,
} from '../support/saga-test-worker.ts';
import { eventually } from '../support/platform.ts';

/**
 * bitcoinWithdrawal against the real dev server with stub activities. Branches:
 * - rejected: too little available, nothing held, nothing paid;
 * - the node answers the pay call at once: succeeded → settled, failed → released;
 * - pending, then the node's webhook (signal): succeeded → settled, failed → released with its reason;
 *   a webhook for another payment hash is ignored; the node's first word is final;
 * - pay refused (ProviderRefused) → the node is asked: failed / unknown → released, succeeded → settled;
 * - pending, then the timer: ask the node (backing off), a transient error retried by Temporal,
 *   a refused status call counted as still pending;
 * - continue-as-new after `withdrawalAsksPerRun` asks, the next run only waiting and asking;
 * - cancellation: while pending → the reservation stays (neither settled nor released); with a
 *   definite answer (from the node or a webhook already in) → settled or released; before paying → released.
 */

type Activities = BitcoinActivities & SettingsActivities;
type NodeAnswer = Awaited<ReturnType<BitcoinActivities['lightningPaymentStatus']>>;
type PayAnswer = Awaited<ReturnType<BitcoinActivities['payWithdrawalInvoice']>>;

interface Scenario {
  withdrawalTimeoutMs: number;
  withdrawalAsksPerRun: number;
  reserved: boolean;
  reserve?: () => Promise<void>;
  pay: () => Promise<PayAnswer['status']>;
  /** The node's answer to the n-th status question (1-based, across runs). */
  status: (n: number) => Promise<NodeAnswer>;
  settle?: (n: number) => Promise<void>;
}

const log = new CallLog();
const scenarios = new Map<string, Scenario>();
const scenario = () => scenarios.get(currentWorkflowId())!;
const counters = new Map<string, number>();
const count = (key: string) => {
  const n = (counters.get(key) ?? 0) + 1;
  counters.set(key, n);
  return n;
};

const stubs: Activities = {
  async sagaTimeouts() {
    const s = scenario();
    return { ...TEST_SAGA_TIMEOUTS, withdrawalTimeoutMs: s.withdrawalTimeoutMs, withdrawalAsksPerRun: s.withdrawalAsksPerRun };
  },
  async reserveWithdrawalFunds() {
    const s = scenario();
    await s.reserve?.();
    return { reserved: s.reserved };
  },
  async payWithdrawalInvoice(withdrawalId) {
    const status = await scenario().pay();
    return { paymentHash: hashOf(withdrawalId), status };
  },
  lightningPaymentStatus: async () => scenario().status(count(`${currentWorkflowId()}:status`)),
  async settleWithdrawal() {
    await scenario().settle?.(count(`${currentWorkflowId()}:settle`));
  },
  async releaseWithdrawal() {},
};

const env = sagaTestWorkerForThisFile('withdrawal', recorded(log, stubs));

const signals = bitcoinWithdrawalSaga.signals;
const hashes = new Map<string, string>();
const hashOf = (withdrawalId: string) => hashes.get(withdrawalId)!;
const answers =
  (...list: NodeAnswer[]) =>
  async (n: number) =>
    list[Math.min(n, list.length) - 1]!;

async function start(options: Partial<Scenario> = {}) {
  const withdrawalId = crypto.randomUUID();
  const paymentHash = (withdrawalId.replaceAll('-', '') + '0'.repeat(64)).slice(0, 64);
  hashes.set(withdrawalId, paymentHash);
  const input: BitcoinWithdrawalInput = {
    withdrawalId,
    accountId: `account-${withdrawalId.slice(0, 8)}`,
    customerId: `customer-${withdrawalId.slice(0, 8)}`,
    amount: { amount: '1000', currency: 'SAT' },
    paymentHash,
  };
  const workflowId = bitcoinWithdrawalSaga.idOf(input);
  const s: Scenario = {
    withdrawalTimeoutMs: 10_000,
    withdrawalAsksPerRun: 10,
    reserved: true,
    pay: async () => 'pending',
    status: answers('pending'),
    ...options,
  };
  scenarios.set(workflowId, s);
  const handle = await env.startSaga(bitcoinWithdrawal, bitcoinWithdrawalSaga, input);
  return { handle, workflowId, input, withdrawalId, paymentHash };
}

const released = (workflowId: string) => log.argsOf(workflowId, 'releaseWithdrawal');
const settled = (workflowId: string) => log.argsOf(workflowId, 'settleWithdrawal');
const asks = (workflowId: string) => log.callsTo(workflowId, 'lightningPaymentStatus');

describe.concurrent('bitcoinWithdrawal', () => {
  it('rejected: too little available, nothing is paid, settled or released', async () => {
    const { handle, workflowId, withdrawalId } = await start({ reserved: false });
    expect(await handle.result()).toEqual({ outcome: 'rejected', reason: 'insufficient funds' });
    expect(log.names(workflowId)).toEqual(['sagaTimeouts', 'reserveWithdrawalFunds']);
    expect(log.argsOf(workflowId, 'reserveWithdrawalFunds')).toEqual([[withdrawalId]]);
    expect(stepsOf(await sagaState(handle))).toEqual(['reserving-funds', 'rejected']);
  });

  it('paid at once: the node says succeeded to the pay call, the reservation is settled (a transient settle error retried)', async () => {
    const { handle, workflowId, withdrawalId, paymentHash } = await start({
      pay: async () => 'succeeded',
      settle: async (n) => {
        if (n === 1) throw new Error('ECONNRESET');
      },
    });
    expect(await handle.result()).toEqual({ outcome: 'paid', paymentHash });
    expect(log.names(workflowId)).toEqual([
      'sagaTimeouts',
      'reserveWithdrawalFunds',
      'payWithdrawalInvoice',
      'settleWithdrawal',
      'settleWithdrawal',
    ]);
    expect(log.callsTo(workflowId, 'settleWithdrawal').map((c) => [c.attempt, c.outcome])).toEqual([
      [1, 'threw'],
      [2, 'returned'],
    ]);
    expect(settled(workflowId)).toEqual([[withdrawalId], [withdrawalId]]);
    expect(log.argsOf(workflowId, 'payWithdrawalInvoice')).toEqual([[withdrawalId]]);
    const state = await sagaState(handle);
    expect(stepsOf(state)).toEqual(['reserving-funds', 'paying', 'settling', 'paid']);
    expect(state.ids).toEqual({ withdrawalId, accountId: `account-${withdrawalId.slice(0, 8)}`, paymentHash });
  });

  it('failed at once: the node says failed to the pay call, the reservation is released', async () => {
    const { handle, workflowId, withdrawalId } = await start({ pay: async () => 'failed' });
    expect(await handle.result()).toEqual({ outcome: 'failed', reason: 'the lightning payment failed' });
    expect(released(workflowId)).toEqual([[withdrawalId, 'the lightning payment failed']]);
    expect(asks(workflowId)).toHaveLength(0);
    expect(settled(workflowId)).toHaveLength(0);
    expect(stepsOf(await sagaState(handle))).toEqual(['reserving-funds', 'paying', 'releasing', 'failed']);
  });

  it('pending, then the node’s payment.succeeded webhook: asked once more, then settled (long before the timer)', async () => {
    const { handle, workflowId, withdrawalId, paymentHash } = await start({ withdrawalTimeoutMs: 30_000 });
    await waitForStep(handle, 'awaiting-node');
    const signalled = Date.now();
    await handle.signal(signals.lightningPaymentSucceeded, { eventId: 'evt-1', paymentHash });
    expect(await handle.result()).toEqual({ outcome: 'paid', paymentHash });
    expect(Date.now() - signalled).toBeLessThan(20_000); // the timer (30 s) did not wake it
    expect(asks(workflowId).map((c) => c.args)).toEqual([[paymentHash]]);
    expect(settled(workflowId)).toEqual([[withdrawalId]]);
    expect(released(workflowId)).toHaveLength(0);
    expect(stepsOf(await sagaState(handle))).toEqual(['reserving-funds', 'paying', 'awaiting-node', 'asking-node', 'settling', 'paid']);
  });

  it('writes Temporal’s record when it rests and when it ends, not at every step; one patch marker', async () => {
    const { handle, withdrawalId, paymentHash, input } = await start({ withdrawalTimeoutMs: 30_000 });
    await waitForStep(handle, 'awaiting-node');
    // At rest: the record shows where it waits, with the ids it knows.
    const atRest = await eventually(
      async () => (await handle.describe()).searchAttributes,
      (attributes) => attributes.SagaStep?.[0] === 'awaiting-node',
    );
    expect(atRest).toMatchObject({
      SagaStep: ['awaiting-node'],
      WithdrawalId: [withdrawalId],
      CustomerId: [input.customerId],
    });
    await handle.signal(signals.lightningPaymentSucceeded, { eventId: 'evt-1', paymentHash });
    await handle.result();
    expect((await handle.describe()).searchAttributes.SagaStep).toEqual(['paid']);

    const events = (await handle.fetchHistory()).events ?? [];
    const upserts = events.flatMap((event) => {
      const fields = event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields;
      return fields ? [Object.keys(fields).sort().join(',')] : [];
    });
    // Six steps in the journal, two writes of the record (at rest, at the end), and the patch's own.
    expect(stepsOf(await sagaState(handle))).toHaveLength(6);
    expect(upserts).toEqual(['TemporalChangeVersion', 'CustomerId,SagaStep,WithdrawalId', 'SagaStep']);
    expect(events.filter((event) => event.markerRecordedEventAttributes?.markerName === 'core_patch')).toHaveLength(1);
  });

  it('pending, then the node’s payment.failed webhook: released with the node’s reason', async () => {
    const { handle, workflowId, withdrawalId, paymentHash } = await start();
    await waitForStep(handle, 'awaiting-node');
    await handle.signal(signals.lightningPaymentFailed, { eventId: 'evt-1', paymentHash, reason: 'no route' });
    const reason = 'the lightning payment failed (no route)';
    expect(await handle.result()).toEqual({ outcome: 'failed', reason });
    expect(released(workflowId)).toEqual([[withdrawalId, reason]]);
    expect(settled(workflowId)).toHaveLength(0);
  });

  it('ignores a webhook about another payment; the node’s first word on this one is final', async () => {
    const { handle, workflowId, paymentHash } = await start();
    await waitForStep(handle, 'awaiting-node');
    await handle.signal(signals.lightningPaymentFailed, { eventId: 'evt-other', paymentHash: 'f'.repeat(64), reason: 'not ours' });
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(asks(workflowId)).toHaveLength(0);
    expect((await sagaState(handle)).step).toBe('awaiting-node');

    await handle.signal(signals.lightningPaymentSucceeded, { eventId: 'evt-1', paymentHash });
    await handle.signal(signals.lightningPaymentFailed, { eventId: 'evt-2', paymentHash, reason: 'contradiction' }).catch(() => undefined);
    expect(await handle.result()).toEqual({ outcome: 'paid', paymentHash });
    expect(settled(workflowId)).toHaveLength(1);
    expect(released(workflowId)).toHaveLength(0);
  });

  it('pay refused (ProviderRefused), the node says failed: released with the refusal as the reason', async () => {
    const { handle, workflowId, withdrawalId, paymentHash } = await start({
      pay: async () => {
        throw ApplicationFailure.nonRetryable('invoice expired (400)', 'ProviderRefused', { status: 400 });
      },
      status: answers('failed'),
    });
    const reason = 'the lightning node refused the payment: invoice expired (400)';
    expect(await handle.result()).toEqual({ outcome: 'failed', reason });
    expect(log.callsTo(workflowId, 'payWithdrawalInvoice')).toHaveLength(1); // a refusal is not retried
    expect(asks(workflowId).map((c) => c.args)).toEqual([[paymentHash]]);
    expect(released(workflowId)).toEqual([[withdrawalId, reason]]);
    expect(stepsOf(await sagaState(handle))).toEqual(['reserving-funds', 'paying', 'asking-node', 'releasing', 'failed']);
  });

  it('pay refused, the node never heard of the payment (unknown): released', async () => {
    const { handle, workflowId, withdrawalId } = await start({
      pay: async () => {
        throw ApplicationFailure.nonRetryable('bad invoice (400)', 'ProviderRefused');
      },
      status: answers('unknown'),
    });
    const reason = 'the lightning node never received the payment';
    expect(await handle.result()).toEqual({ outcome: 'failed', reason });
    expect(released(workflowId)).toEqual([[withdrawalId, reason]]);
    expect(settled(workflowId)).toHaveLength(0);
  });

  it('pay refused, yet the node says it succeeded: what the node knows decides, settled', async () => {
    const { handle, workflowId, withdrawalId, paymentHash } = await start({
      pay: async () => {
        throw ApplicationFailure.nonRetryable('duplicate payment (409)', 'ProviderRefused');
      },
      status: answers('succeeded'),
    });
    expect(await handle.result()).toEqual({ outcome: 'paid', paymentHash });
    expect(settled(workflowId)).toEqual([[withdrawalId]]);
    expect(released(workflowId)).toHaveLength(0);
  });

  it('pending, no webhook: the timer wakes the saga to ask the node, less and less often, until it says succeeded', async () => {
    const { handle, workflowId, paymentHash } = await start({
      withdrawalTimeoutMs: 200,
      status: answers('pending', 'pending', 'succeeded'),
    });
    expect(await handle.result()).toEqual({ outcome: 'paid', paymentHash });
    const pay = log.callsTo(workflowId, 'payWithdrawalInvoice')[0]!;
    const [one, two, three] = asks(workflowId);
    // Waits of 200, then 400, then 800 ms between the questions.
    expect(one!.startedAt - pay.endedAt!).toBeGreaterThanOrEqual(150);
    expect(two!.startedAt - one!.endedAt!).toBeGreaterThanOrEqual(350);
    expect(three!.startedAt - two!.endedAt!).toBeGreaterThanOrEqual(750);
    expect(asks(workflowId)).toHaveLength(3);
    expect(log.names(workflowId).at(-1)).toBe('settleWithdrawal');
    expect(released(workflowId)).toHaveLength(0);
  });

  it('asking the node: a transient error is retried by Temporal, a refused question counts as still pending', async () => {
    const { handle, workflowId, paymentHash } = await start({
      withdrawalTimeoutMs: 200,
      status: async (n) => {
        if (n === 1) throw ApplicationFailure.nonRetryable('node says 400', 'ProviderRefused');
        if (n === 2) throw new Error('ECONNREFUSED');
        return 'failed';
      },
    });
    expect(await handle.result()).toEqual({ outcome: 'failed', reason: 'the lightning payment failed' });
    // Ask 1 refused → pending → timer → ask 2 (activity attempt 1 threw, attempt 2 answered).
    expect(asks(workflowId).map((c) => [c.attempt, c.outcome])).toEqual([
      [1, 'threw'],
      [1, 'threw'],
      [2, 'returned'],
    ]);
    expect(asks(workflowId)[1]!.startedAt - asks(workflowId)[0]!.endedAt!).toBeGreaterThanOrEqual(150);
    expect(released(workflowId)).toHaveLength(1);
  });

  it('continues as new after withdrawalAsksPerRun asks; the next run only waits and asks, then settles', async () => {
    const { handle, workflowId, withdrawalId, paymentHash, input } = await start({
      withdrawalTimeoutMs: 200,
      withdrawalAsksPerRun: 2,
      status: answers('pending', 'pending', 'succeeded'),
    });
    expect(await handle.result()).toEqual({ outcome: 'paid', paymentHash }); // follows the runs

    const firstRunId = handle.firstExecutionRunId;
    const firstRun = env.client.workflow.getHandle(workflowId, firstRunId);
    expect((await firstRun.describe()).status.name).toBe('CONTINUED_AS_NEW');
    const latest = env.client.workflow.getHandle(workflowId);
    const latestRunId = (await latest.describe()).runId;
    expect(latestRunId).not.toBe(firstRunId);

    const runOf = (name: string) =>
      log.callsTo(workflowId, name).map((c) => (c.runId === firstRunId ? 'first' : c.runId === latestRunId ? 'second' : c.runId));
    expect(runOf('reserveWithdrawalFunds')).toEqual(['first']);
    expect(runOf('payWithdrawalInvoice')).toEqual(['first']);
    expect(runOf('lightningPaymentStatus')).toEqual(['first', 'first', 'second']);
    expect(runOf('settleWithdrawal')).toEqual(['second']);
    expect(runOf('sagaTimeouts')).toEqual(['first', 'second']);
    expect(settled(workflowId)).toEqual([[withdrawalId]]);

    // The new run's input carries the next wait: 200 → 400 → 800 ms.
    const history = await latest.fetchHistory();
    const payload = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
    expect(defaultPayloadConverter.fromPayload(payload)).toEqual({ ...input, awaitingNode: { nextAskInMs: 800 } });
    const [, two, three] = asks(workflowId);
    expect(three!.startedAt - two!.endedAt!).toBeGreaterThanOrEqual(750);
    expect(stepsOf(await sagaState(latest))).toEqual(['awaiting-node', 'asking-node', 'settling', 'paid']);
  });

  it('cancelled while the node says pending: the reservation stays, neither settled nor released', async () => {
    const { handle, workflowId, paymentHash } = await start({ status: answers('pending') });
    await waitForStep(handle, 'awaiting-node');
    await handle.cancel();
    await handle.result().catch(() => undefined);
    expect((await handle.describe()).status.name).toBe('CANCELLED');
    expect(asks(workflowId).map((c) => c.args)).toEqual([[paymentHash]]);
    expect(settled(workflowId)).toHaveLength(0);
    expect(released(workflowId)).toHaveLength(0);
    expect(stepsOf(await sagaState(handle)).slice(-3)).toEqual(['cancelled-compensating', 'asking-node', 'cancelled-payment-pending']);
  });

  it('cancelled while waiting, the node has decided meanwhile: succeeded → settled', async () => {
    const { handle, workflowId, withdrawalId } = await start({ status: answers('succeeded') });
    await waitForStep(handle, 'awaiting-node');
    await handle.cancel();
    await handle.result().catch(() => undefined);
    expect((await handle.describe()).status.name).toBe('CANCELLED');
    expect(settled(workflowId)).toEqual([[withdrawalId]]);
    expect(released(workflowId)).toHaveLength(0);
  });

  it('cancelled while waiting, the node has decided meanwhile: failed → released as cancelled', async () => {
    const { handle, workflowId, withdrawalId } = await start({ status: answers('failed') });
    await waitForStep(handle, 'awaiting-node');
    await handle.cancel();
    await handle.result().catch(() => undefined);
    expect(released(workflowId)).toEqual([[withdrawalId, 'the withdrawal was cancelled']]);
    expect(settled(workflowId)).toHaveLength(0);
  });

  it('cancelled after the webhook’s definite answer, the pay call still in flight: it ends first, then settled without asking', async () => {
    const { handle, workflowId, withdrawalId, paymentHash } = await start({ pay: () => blockUntilCancelled() });
    await until(() => log.callsTo(workflowId, 'payWithdrawalInvoice').length === 1, 'the pay call');
    await handle.signal(signals.lightningPaymentSucceeded, { eventId: 'evt-1', paymentHash });
    await handle.cancel();
    await handle.result().catch(() => undefined);
    expect((await handle.describe()).status.name).toBe('CANCELLED');
    const pay = log.callsTo(workflowId, 'payWithdrawalInvoice')[0]!;
    const settle = log.callsTo(workflowId, 'settleWithdrawal')[0]!;
    expect(pay.outcome).toBe('cancelled');
    expect(settle.startedAt).toBeGreaterThanOrEqual(pay.endedAt!);
    expect(settle.args).toEqual([withdrawalId]);
    expect(asks(workflowId)).toHaveLength(0);
    expect(released(workflowId)).toHaveLength(0);
  });

  it('cancelled before paying (while reserving): released, the node never asked', async () => {
    const { handle, workflowId, withdrawalId } = await start({ reserve: () => blockUntilCancelled() });
    await until(() => log.callsTo(workflowId, 'reserveWithdrawalFunds').length === 1, 'reserving');
    await handle.cancel();
    await handle.result().catch(() => undefined);
    expect((await handle.describe()).status.name).toBe('CANCELLED');
    expect(log.callsTo(workflowId, 'reserveWithdrawalFunds')[0]!.outcome).toBe('cancelled');
    expect(log.callsTo(workflowId, 'payWithdrawalInvoice')).toHaveLength(0);
    expect(asks(workflowId)).toHaveLength(0);
    expect(released(workflowId)).toEqual([[withdrawalId, 'the withdrawal was cancelled']]);
  });
});
