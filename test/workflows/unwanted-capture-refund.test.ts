import { ApplicationFailure } from '@temporalio/common';
import { ActivityFailure, WorkflowFailedError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import type { PaymentActivities } from '../../activities/payments.ts';
import { unwantedCaptureRefundSaga, type UnwantedCaptureRefundInput } from '../../workflows/unwanted-capture-refund.contract.ts';
import { unwantedCaptureRefund } from '../../workflows/unwanted-capture-refund.ts';
import {
  CallLog,
  currentWorkflowId,
  recorded,
  sagaState,
  sagaTestWorkerForThisFile,
  unusedActivities,
  stepsOf,
} from '../support/saga-test-worker.ts';

/**
 * unwantedCaptureRefund against the real dev server with stub activities. Branches:
 * - the unwanted capture is refunded once → refunded, with the refund's id;
 * - a transient provider error is retried by Temporal with the same input;
 * - a refusal (the payment does not list the charge as unwanted: Conflict) fails the saga, nothing else runs.
 */

const log = new CallLog();
const refundBehaviour = new Map<string, (attempt: number) => Promise<{ refundId: string }>>();
const refundCalls = new Map<string, number>();

const stubs: PaymentActivities = {
  ...unusedActivities,
  async refundUnwantedCapture(input) {
    const id = currentWorkflowId();
    const n = (refundCalls.get(id) ?? 0) + 1;
    refundCalls.set(id, n);
    return (await refundBehaviour.get(id)?.(n)) ?? { refundId: `re_${input.providerChargeId}` };
  },
};

const env = sagaTestWorkerForThisFile('unwanted-refund', recorded(log, stubs));

async function start(refund?: (attempt: number) => Promise<{ refundId: string }>) {
  const input: UnwantedCaptureRefundInput = {
    paymentId: crypto.randomUUID(),
    providerChargeId: `ch_${crypto.randomUUID().slice(0, 12)}`,
    auctionId: crypto.randomUUID(),
    payerId: `payer-${crypto.randomUUID().slice(0, 8)}`,
  };
  const workflowId = unwantedCaptureRefundSaga.idOf(input);
  if (refund) refundBehaviour.set(workflowId, refund);
  const handle = await env.startSaga(unwantedCaptureRefund, unwantedCaptureRefundSaga, input);
  return { handle, workflowId, input };
}

describe.concurrent('unwantedCaptureRefund', () => {
  it('refunds the unwanted capture once, keyed by its charge', async () => {
    const { handle, workflowId, input } = await start();
    expect(workflowId).toBe(`unwanted-capture-refund-${input.providerChargeId}`);
    expect(await handle.result()).toEqual({ refundId: `re_${input.providerChargeId}` });
    expect(log.names(workflowId)).toEqual(['refundUnwantedCapture']);
    expect(log.argsOf(workflowId, 'refundUnwantedCapture')).toEqual([
      [{ paymentId: input.paymentId, providerChargeId: input.providerChargeId }],
    ]);
    const state = await sagaState(handle);
    expect(stepsOf(state)).toEqual(['refunding', 'refunded']);
    expect(state.ids).toEqual({ paymentId: input.paymentId, auctionId: input.auctionId, providerChargeId: input.providerChargeId });
    expect(state.parties).toEqual([input.payerId]);
  });

  it('a transient provider error is retried by Temporal with the same input', async () => {
    const { handle, workflowId } = await start(async (n) => {
      if (n < 3) throw new Error('provider 503');
      return { refundId: 're_third_time' };
    });
    expect(await handle.result()).toEqual({ refundId: 're_third_time' });
    const calls = log.callsTo(workflowId, 'refundUnwantedCapture');
    expect(calls.map((c) => [c.attempt, c.outcome])).toEqual([
      [1, 'threw'],
      [2, 'threw'],
      [3, 'returned'],
    ]);
    expect(new Set(calls.map((c) => JSON.stringify(c.args))).size).toBe(1);
  });

  it('a refusal (the charge is not an unwanted one) fails the saga at once, unretried', async () => {
    const { handle, workflowId } = await start(async () => {
      throw ApplicationFailure.nonRetryable('charge ch_x is the one that paid for the item', 'Conflict');
    });
    const error = await handle.result().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const cause = (error as WorkflowFailedError).cause;
    expect(cause).toBeInstanceOf(ActivityFailure);
    expect(((cause as ActivityFailure).cause as ApplicationFailure).type).toBe('Conflict');
    expect((await handle.describe()).status.name).toBe('FAILED');
    expect(log.callsTo(workflowId, 'refundUnwantedCapture')).toHaveLength(1);
    expect(stepsOf(await sagaState(handle))).toEqual(['refunding']);
  });
});
