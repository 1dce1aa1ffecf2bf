import { ApplicationFailure } from '@temporalio/common';
import { WorkflowFailedError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import type { AuctionActivities } from '../../activities/auctions.ts';
import type { FulfilmentActivities } from '../../activities/fulfilment.ts';
import { serviceFulfilmentSaga, type ServiceFulfilmentInput } from '../../workflows/service-fulfilment.contract.ts';
import { serviceFulfilment } from '../../workflows/service-fulfilment.ts';
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
 * serviceFulfilment against the real dev server with stub activities. Branches:
 * - the voucher is issued, then attached to the auction → issued;
 * - a transient error while issuing is retried by Temporal with the same input (idempotent by serviceId);
 * - a refusal while issuing (non-retryable) fails the saga; nothing is attached.
 */

type Activities = AuctionActivities & FulfilmentActivities;

const log = new CallLog();
const issueBehaviour = new Map<string, (attempt: number) => Promise<void>>();
let issueCalls = new Map<string, number>();

const stubs: Activities = {
  ...unusedActivities,
  async issueVoucher() {
    const id = currentWorkflowId();
    const n = (issueCalls.get(id) ?? 0) + 1;
    issueCalls.set(id, n);
    await issueBehaviour.get(id)?.(n);
  },
  async attachFulfilmentToAuction() {},
};

const env = sagaTestWorkerForThisFile('service', recorded(log, stubs));

async function start(issue?: (attempt: number) => Promise<void>) {
  const serviceId = crypto.randomUUID();
  const input: ServiceFulfilmentInput = {
    auctionId: crypto.randomUUID(),
    buyerId: `buyer-${serviceId.slice(0, 8)}`,
    sellerId: `seller-${serviceId.slice(0, 8)}`,
    paymentId: crypto.randomUUID(),
    title: 'A massage',
    serviceId,
  };
  const workflowId = serviceFulfilmentSaga.idOf(input);
  if (issue) issueBehaviour.set(workflowId, issue);
  const handle = await env.startSaga(serviceFulfilment, serviceFulfilmentSaga, input);
  return { handle, workflowId, input, serviceId };
}

describe.concurrent('serviceFulfilment', () => {
  it('issues the voucher, then attaches the service to the auction', async () => {
    const { handle, workflowId, input, serviceId } = await start();
    expect(workflowId).toBe(`service-fulfilment-${serviceId}`);
    expect(await handle.result()).toEqual({ issued: true });
    expect(log.names(workflowId)).toEqual(['issueVoucher', 'attachFulfilmentToAuction']);
    expect(log.argsOf(workflowId, 'issueVoucher')).toEqual([[input]]);
    expect(log.argsOf(workflowId, 'attachFulfilmentToAuction')).toEqual([[input.auctionId, 'service', serviceId]]);
    const state = await sagaState(handle);
    expect(stepsOf(state)).toEqual(['issuing-voucher', 'issued']);
    expect(state.ids).toEqual({ auctionId: input.auctionId, serviceId, paymentId: input.paymentId });
    expect(state.parties).toEqual([input.buyerId, input.sellerId]);
  });

  it('a transient error while issuing is retried with the same input, and the voucher attached once', async () => {
    const { handle, workflowId } = await start(async (n) => {
      if (n === 1) throw new Error('connection terminated');
    });
    expect(await handle.result()).toEqual({ issued: true });
    const issues = log.callsTo(workflowId, 'issueVoucher');
    expect(issues.map((c) => [c.attempt, c.outcome])).toEqual([
      [1, 'threw'],
      [2, 'returned'],
    ]);
    expect(issues[1]!.args).toEqual(issues[0]!.args);
    expect(log.callsTo(workflowId, 'attachFulfilmentToAuction')).toHaveLength(1);
  });

  it('a refusal while issuing fails the saga; nothing is attached', async () => {
    const { handle, workflowId } = await start(async () => {
      throw ApplicationFailure.nonRetryable('invalid activity input: title', 'InvalidInput');
    });
    const error = await handle.result().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((await handle.describe()).status.name).toBe('FAILED');
    expect(log.callsTo(workflowId, 'issueVoucher')).toHaveLength(1);
    expect(log.callsTo(workflowId, 'attachFulfilmentToAuction')).toHaveLength(0);
    expect(stepsOf(await sagaState(handle))).toEqual(['issuing-voucher']);
  });
});
