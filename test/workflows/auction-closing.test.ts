import { defaultPayloadConverter } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import type { AuctionActivities } from '../../activities/auctions.ts';
import type { FulfilmentActivities } from '../../activities/fulfilment.ts';
import type { PaymentActivities } from '../../activities/payments.ts';
import type { SettingsActivities } from '../../activities/settings.ts';
import { auctionClosingSaga, type AuctionClosingInput } from '../../workflows/auction-closing.contract.ts';
import { auctionClosing } from '../../workflows/auction-closing.ts';
import { payingForWonItemSaga } from '../../workflows/paying-for-won-item.contract.ts';
import {
  CallLog,
  currentWorkflowId,
  recorded,
  sagaState,
  sagaTestWorkerForThisFile,
  unusedActivities,
  stepsOf,
  waitForStep,
  TEST_SAGA_TIMEOUTS,
} from '../support/saga-test-worker.ts';

/**
 * auctionClosing against the real dev server with stub activities. Branches:
 * - the timer reaches `endsAt`: the auction is ended; no bids → ended without bids, no paying saga;
 * - `endsAt` already past → ended at once;
 * - the seller ends early (signal) → ended before `endsAt`;
 * - a winner → the paying-for-won-item child is started with the won auction's terms, and outlives this workflow;
 * - a second run for the same auction (its paying saga running, or already finished) starts no second paying saga;
 * - a transient error while ending is retried by Temporal.
 */

type Activities = AuctionActivities & PaymentActivities & FulfilmentActivities & SettingsActivities;
type Ended = Awaited<ReturnType<AuctionActivities['endAuction']>>;

const log = new CallLog();
/** What endAuction answers, by auction. */
const outcomes = new Map<string, Ended>();
const endFailures = new Map<string, number>();
/** The paying children's payment windows, by their workflow id (default: long, they wait until cleaned up). */
const childWindows = new Map<string, number>();

const stubs: Activities = {
  ...unusedActivities,
  async endAuction(auctionId) {
    const failures = endFailures.get(auctionId) ?? 0;
    if (failures > 0) {
      endFailures.set(auctionId, failures - 1);
      throw new Error('database restarting');
    }
    return outcomes.get(auctionId)!;
  },
  // the paying-for-won-item children
  async sagaTimeouts() {
    return { ...TEST_SAGA_TIMEOUTS, paymentWindowMs: childWindows.get(currentWorkflowId()) ?? 60_000 };
  },
  startPayment: async () => ({ paymentId: crypto.randomUUID() }),
  async attachPaymentToAuction() {},
  closePaymentWindow: async () => ({ outcome: 'cancelled' as const }),
  reconcileChargesAfterWindow: async () => ({ voided: [], capturesFound: [] }),
  async markAuctionUnpaid() {},
};

const env = sagaTestWorkerForThisFile('closing', recorded(log, stubs));

function auction(options: { endsInMs: number; winner?: boolean; endFailures?: number }) {
  const auctionId = crypto.randomUUID();
  const sellerId = `seller-${auctionId.slice(0, 8)}`;
  const winnerId = options.winner ? `winner-${auctionId.slice(0, 8)}` : null;
  outcomes.set(auctionId, {
    auctionId,
    winnerId,
    sellerId,
    title: 'A teapot',
    fulfilment: 'delivery',
    winningBid: winnerId ? { amount: '42.00', currency: 'USD' } : null,
  });
  if (options.endFailures) endFailures.set(auctionId, options.endFailures);
  const input: AuctionClosingInput = { auctionId, sellerId, endsAt: new Date(Date.now() + options.endsInMs).toISOString() };
  const workflowId = auctionClosingSaga.idOf(input);
  const payingId = payingForWonItemSaga.workflowId(auctionId);
  env.trackId(payingId);
  const run = async () => await env.startSaga(auctionClosing, auctionClosingSaga, input);
  return { input, auctionId, sellerId, winnerId, workflowId, payingId, run };
}

const exists = async (workflowId: string) =>
  env.client.workflow
    .getHandle(workflowId)
    .describe()
    .then(
      () => true,
      () => false,
    );

describe.concurrent('auctionClosing', () => {
  it('sleeps until endsAt, ends the auction; without bids it ends there, no paying saga', async () => {
    const { input, auctionId, workflowId, payingId, run } = auction({ endsInMs: 800 });
    const handle = await run();
    expect(await handle.result()).toEqual({ winnerId: null });
    const [end] = log.callsTo(workflowId, 'endAuction');
    expect(end!.args).toEqual([auctionId]);
    expect(end!.startedAt).toBeGreaterThanOrEqual(Date.parse(input.endsAt) - 100); // the timer, not sooner
    expect(log.names(workflowId)).toEqual(['endAuction']);
    const state = await sagaState(handle);
    expect(stepsOf(state)).toEqual(['waiting-for-end', 'ending', 'ended-without-bids']);
    expect(state.parties).toEqual([input.sellerId]);
    expect(await exists(payingId)).toBe(false);
  });

  it('endsAt already past: ends at once', async () => {
    const { workflowId, run } = auction({ endsInMs: -60_000 });
    const handle = await run();
    expect(await handle.result()).toEqual({ winnerId: null });
    expect(log.callsTo(workflowId, 'endAuction')).toHaveLength(1);
  });

  it('the seller ends early (endAuctionNow): ended long before endsAt', async () => {
    const { input, workflowId, run } = auction({ endsInMs: 3_600_000 });
    const handle = await run();
    await waitForStep(handle, 'waiting-for-end');
    expect(log.callsTo(workflowId, 'endAuction')).toHaveLength(0);
    await handle.signal(auctionClosingSaga.signals.endAuctionNow, {});
    expect(await handle.result()).toEqual({ winnerId: null });
    const [end] = log.callsTo(workflowId, 'endAuction');
    expect(end!.startedAt).toBeLessThan(Date.parse(input.endsAt) - 3_000_000);
  });

  it('a winner: the paying saga is started as a child with the won terms, and outlives the closing timer', async () => {
    const { auctionId, sellerId, winnerId, workflowId, payingId, run } = auction({ endsInMs: 0, winner: true });
    const handle = await run();
    expect(await handle.result()).toEqual({ winnerId });
    const state = await sagaState(handle);
    expect(stepsOf(state)).toEqual(['waiting-for-end', 'ending', 'starting-paying-saga', 'handed-over']);
    expect(state.ids).toEqual({ auctionId, winnerId });

    const paying = env.client.workflow.getHandle(payingId);
    const described = await paying.describe();
    expect(described.type).toBe('payingForWonItem');
    expect(described.status.name).toBe('RUNNING');
    expect(described.parentExecution?.workflowId).toBe(workflowId);
    const history = await paying.fetchHistory();
    const payload = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
    expect(defaultPayloadConverter.fromPayload(payload)).toEqual({
      auctionId,
      winnerId,
      sellerId,
      title: 'A teapot',
      amount: { amount: '42.00', currency: 'USD' },
      fulfilment: 'delivery',
    });
    await waitForStep(paying, 'awaiting-payment');
    expect(log.argsOf(payingId, 'startPayment')).toEqual([
      [
        {
          auctionId,
          payerId: winnerId,
          payeeId: sellerId,
          amount: { amount: '42.00', currency: 'USD' },
          title: 'A teapot',
          payableUntil: expect.any(String),
        },
      ],
    ]);
  });

  it('a second run while the paying saga runs starts no second one', async () => {
    const { winnerId, payingId, run } = auction({ endsInMs: 0, winner: true });
    expect(await (await run()).result()).toEqual({ winnerId });
    const paying = env.client.workflow.getHandle(payingId);
    await waitForStep(paying, 'awaiting-payment');
    const firstRunId = (await paying.describe()).runId;

    const again = await run();
    expect(await again.result()).toEqual({ winnerId });
    expect(stepsOf(await sagaState(again)).slice(-2)).toEqual(['starting-paying-saga', 'handed-over']);
    expect((await paying.describe()).runId).toBe(firstRunId);
    expect(log.callsTo(payingId, 'startPayment')).toHaveLength(1);
    expect(new Set(log.of(payingId).map((c) => c.runId))).toEqual(new Set([firstRunId]));
  });

  it('a second run after the paying saga has finished starts no new one either', async () => {
    const { winnerId, payingId, run } = auction({ endsInMs: 0, winner: true });
    childWindows.set(payingId, 300);
    expect(await (await run()).result()).toEqual({ winnerId });
    const paying = env.client.workflow.getHandle(payingId);
    expect(await paying.result()).toMatchObject({ outcome: 'unpaid' });
    const firstRunId = (await paying.describe()).runId;

    expect(await (await run()).result()).toEqual({ winnerId });
    const after = await paying.describe();
    expect(after.runId).toBe(firstRunId);
    expect(after.status.name).toBe('COMPLETED');
    expect(log.callsTo(payingId, 'startPayment')).toHaveLength(1);
  });

  it('a transient error while ending is retried by Temporal', async () => {
    const { auctionId, workflowId, run } = auction({ endsInMs: 0, endFailures: 1 });
    expect(await (await run()).result()).toEqual({ winnerId: null });
    expect(log.callsTo(workflowId, 'endAuction').map((c) => [c.attempt, c.outcome, c.args])).toEqual([
      [1, 'threw', [auctionId]],
      [2, 'returned', [auctionId]],
    ]);
  });
});
