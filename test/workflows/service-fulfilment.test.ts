import type { WorkflowHandle } from '@temporalio/client';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import type { AuctionActivities } from '../../activities/auctions.ts';
import type { FulfilmentActivities } from '../../activities/fulfilment.ts';
import type { PaymentActivities } from '../../activities/payments.ts';
import type { PayoutActivities } from '../../activities/payouts.ts';
import type { SettingsActivities } from '../../activities/settings.ts';
import type { ServiceStatus } from '../../src/fulfilment/service.ts';
import { serviceFulfilmentSaga, type ServiceFulfilmentInput } from '../../workflows/service-fulfilment.contract.ts';
import { serviceFulfilment } from '../../workflows/service-fulfilment.ts';
import {
  CallLog,
  currentWorkflowId,
  recorded,
  sagaState,
  sagaTestWorkerForThisFile,
  stepsOf,
  TEST_SAGA_TIMEOUTS,
  unusedActivities,
  until,
  waitForStep,
} from '../support/saga-test-worker.ts';

/**
 * serviceFulfilment (the e-voucher, issue 13) against the real dev server with stub
 * activities acting on one in-memory voucher per saga, as its row would: the test moves
 * the status as the buyer would (then nudges with `voucherChanged`); expireVoucher moves
 * it as the domain's guarded write does and returns what it found. Branches:
 * - issued → redeemed → the seller's whole payout, scheduled, then paid after the settlement delay;
 * - issued → cancelled → refunded in full, the auction marked refunded, no payout;
 * - unused until the validity ends → expired → the unused share refunded, the rest paid out;
 * - the redemption racing the expiry: expireVoucher finds it redeemed → paid whole, no refund;
 * - extra and wrong nudges change nothing;
 * - a transient error while issuing is retried with the same input; a refusal fails the saga.
 */

type Activities = AuctionActivities & FulfilmentActivities & PaymentActivities & PayoutActivities & SettingsActivities;

interface FakeVoucher {
  status: ServiceStatus;
  voucherValidityMs: number;
  settlementDelayMs: number;
  issue?: (attempt: number) => Promise<void>;
  issueCalls: number;
}

const log = new CallLog();
const vouchers = new Map<string, FakeVoucher>();
const voucher = () => vouchers.get(currentWorkflowId())!;

const stubs: Activities = {
  ...unusedActivities,
  async sagaTimeouts() {
    const v = voucher();
    return { ...TEST_SAGA_TIMEOUTS, voucherValidityMs: v.voucherValidityMs, settlementDelayMs: v.settlementDelayMs };
  },
  async issueVoucher() {
    const v = voucher();
    v.issueCalls++;
    await v.issue?.(v.issueCalls);
  },
  async attachFulfilmentToAuction() {},
  serviceStatus: async () => ({ status: voucher().status }),
  async expireVoucher() {
    const v = voucher();
    if (v.status === 'issued') v.status = 'expired';
    return { status: v.status };
  },
  refundPayment: async () => ({ refundId: 'refund-1' }),
  refundExpiredVoucher: async () => ({ refundId: 'refund-unused-share' }),
  async markAuctionRefunded() {},
  schedulePayout: async ({ auctionId }) => ({ payoutId: `payout-${auctionId.slice(0, 8)}` }),
  payPayout: async () => ({ status: 'paid' as const }),
};

const env = sagaTestWorkerForThisFile('service', recorded(log, stubs));

const { voucherChanged } = serviceFulfilmentSaga.signals;

interface Run {
  handle: WorkflowHandle;
  workflowId: string;
  input: ServiceFulfilmentInput;
  serviceId: string;
  v: FakeVoucher;
}

async function start(options: Partial<FakeVoucher> = {}): Promise<Run> {
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
  // Long validity unless a test is about it; a quick payout, so a redeemed voucher ends soon.
  const v: FakeVoucher = { status: 'issued', voucherValidityMs: 60_000, settlementDelayMs: 300, issueCalls: 0, ...options };
  vouchers.set(workflowId, v);
  const handle = await env.startSaga(serviceFulfilment, serviceFulfilmentSaga, input);
  return { handle, workflowId, input, serviceId, v };
}

/** The buyer's write lands on the voucher, then the route nudges the saga. */
async function buyerMoves(run: Run, status: ServiceStatus): Promise<void> {
  run.v.status = status;
  await run.handle.signal(voucherChanged, { status });
}

const SETUP = ['sagaTimeouts', 'issueVoucher', 'attachFulfilmentToAuction'];
const PAYOUT_STEPS = ['scheduling-payout', 'awaiting-settlement', 'paying-out', 'paid-out'];
const payoutId = (run: Run) => `payout-${run.input.auctionId.slice(0, 8)}`;
const call = (run: Run, name: string) => {
  const calls = log.callsTo(run.workflowId, name);
  expect(calls, name).toHaveLength(1);
  return calls[0]!;
};

function expectPaidOut(run: Run, share: 'whole' | 'after-voucher-expiry'): void {
  expect(log.argsOf(run.workflowId, 'schedulePayout')).toEqual([
    [
      {
        auctionId: run.input.auctionId,
        paymentId: run.input.paymentId,
        sellerId: run.input.sellerId,
        title: run.input.title,
        share,
        payableAt: expect.any(String),
      },
    ],
  ]);
  expect(log.argsOf(run.workflowId, 'payPayout')).toEqual([[payoutId(run)]]);
}

describe.concurrent('serviceFulfilment', () => {
  it('issued, then redeemed: the whole payout scheduled, then paid after the settlement delay', async () => {
    const run = await start({ settlementDelayMs: 1_000 });
    const { handle, workflowId, input, serviceId } = run;
    expect(workflowId).toBe(`service-fulfilment-${serviceId}`);
    await waitForStep(handle, 'issued');
    await buyerMoves(run, 'redeemed');
    expect(await handle.result()).toEqual({ issued: true, outcome: 'redeemed' });
    expect(log.names(workflowId)).toEqual([...SETUP, 'serviceStatus', 'schedulePayout', 'payPayout']);
    expect(log.argsOf(workflowId, 'issueVoucher')).toEqual([[input]]);
    expect(log.argsOf(workflowId, 'attachFulfilmentToAuction')).toEqual([[input.auctionId, 'service', serviceId]]);
    expect(log.argsOf(workflowId, 'serviceStatus')).toEqual([[serviceId]]);
    expectPaidOut(run, 'whole');
    const schedule = call(run, 'schedulePayout');
    const { payableAt } = schedule.args[0] as { payableAt: string };
    expect(Math.abs(Date.parse(payableAt) - (schedule.startedAt + 1_000))).toBeLessThan(1_000);
    expect(call(run, 'payPayout').startedAt - schedule.endedAt!).toBeGreaterThanOrEqual(1_000 - 20);
    expect(log.callsTo(workflowId, 'expireVoucher')).toHaveLength(0);
    expect(log.callsTo(workflowId, 'refundPayment')).toHaveLength(0);
    expect(log.callsTo(workflowId, 'refundExpiredVoucher')).toHaveLength(0);
    const state = await sagaState(handle);
    expect(stepsOf(state)).toEqual(['issuing-voucher', 'issued', ...PAYOUT_STEPS, 'redeemed']);
    expect(state.ids).toEqual({ auctionId: input.auctionId, serviceId, paymentId: input.paymentId, payoutId: payoutId(run) });
    expect(state.parties).toEqual([input.buyerId, input.sellerId]);
  });

  it('cancelled by the buyer: refunded in full, the auction marked refunded, no payout', async () => {
    const run = await start();
    await waitForStep(run.handle, 'issued');
    await buyerMoves(run, 'cancelled');
    expect(await run.handle.result()).toEqual({ issued: true, outcome: 'cancelled' });
    expect(log.names(run.workflowId)).toEqual([...SETUP, 'serviceStatus', 'refundPayment', 'markAuctionRefunded']);
    // In full: the payment id alone, no part.
    expect(log.argsOf(run.workflowId, 'refundPayment')).toEqual([[run.input.paymentId]]);
    expect(log.argsOf(run.workflowId, 'markAuctionRefunded')).toEqual([[run.input.auctionId]]);
    expect(log.callsTo(run.workflowId, 'schedulePayout')).toHaveLength(0);
    expect(log.callsTo(run.workflowId, 'payPayout')).toHaveLength(0);
    expect(log.callsTo(run.workflowId, 'refundExpiredVoucher')).toHaveLength(0);
    expect(stepsOf(await sagaState(run.handle))).toEqual(['issuing-voucher', 'issued', 'refunding', 'cancelled']);
  });

  it('unused until its validity ends: expireVoucher, the unused share refunded, then the rest paid to the seller', async () => {
    const run = await start({ voucherValidityMs: 800 });
    expect(await run.handle.result()).toEqual({ issued: true, outcome: 'expired' });
    expect(log.names(run.workflowId)).toEqual([...SETUP, 'expireVoucher', 'refundExpiredVoucher', 'schedulePayout', 'payPayout']);
    expect(log.argsOf(run.workflowId, 'expireVoucher')).toEqual([[run.serviceId]]);
    expect(call(run, 'expireVoucher').startedAt - call(run, 'attachFulfilmentToAuction').endedAt!).toBeGreaterThanOrEqual(800 - 20);
    expect(log.argsOf(run.workflowId, 'refundExpiredVoucher')).toEqual([[run.input.paymentId]]);
    expectPaidOut(run, 'after-voucher-expiry');
    expect(log.callsTo(run.workflowId, 'refundPayment')).toHaveLength(0);
    expect(run.v.status).toBe('expired');
    expect(stepsOf(await sagaState(run.handle))).toEqual([
      'issuing-voucher',
      'issued',
      'expiring',
      'refunding-unused-share',
      ...PAYOUT_STEPS,
      'expired',
    ]);
  });

  it('redeemed as the validity ends (its nudge late): expireVoucher finds it redeemed → paid whole, nothing refunded', async () => {
    const run = await start({ voucherValidityMs: 600 });
    await waitForStep(run.handle, 'issued');
    run.v.status = 'redeemed'; // the buyer's write won the row; its nudge has not arrived
    expect(await run.handle.result()).toEqual({ issued: true, outcome: 'redeemed' });
    expect(log.names(run.workflowId)).toEqual([...SETUP, 'expireVoucher', 'schedulePayout', 'payPayout']);
    expectPaidOut(run, 'whole');
    expect(log.callsTo(run.workflowId, 'refundExpiredVoucher')).toHaveLength(0);
    expect(log.callsTo(run.workflowId, 'refundPayment')).toHaveLength(0);
    expect(stepsOf(await sagaState(run.handle))).toEqual(['issuing-voucher', 'issued', 'expiring', ...PAYOUT_STEPS, 'redeemed']);
  });

  it('extra and wrong nudges change nothing: the voucher decides, the payout runs once', async () => {
    const run = await start();
    await waitForStep(run.handle, 'issued');
    await run.handle.signal(voucherChanged, { status: 'cancelled' }); // the voucher says otherwise
    await until(() => log.callsTo(run.workflowId, 'serviceStatus').length === 1, 'the nudge read');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await sagaState(run.handle)).step).toBe('issued');
    await buyerMoves(run, 'redeemed');
    await run.handle.signal(voucherChanged, { status: 'redeemed' });
    await waitForStep(run.handle, 'awaiting-settlement');
    await run.handle.signal(voucherChanged, { status: 'redeemed' });
    expect(await run.handle.result()).toEqual({ issued: true, outcome: 'redeemed' });
    expectPaidOut(run, 'whole');
    expect(log.callsTo(run.workflowId, 'refundPayment')).toHaveLength(0);
    expect(stepsOf(await sagaState(run.handle))).toEqual(['issuing-voucher', 'issued', ...PAYOUT_STEPS, 'redeemed']);
  });

  it('a transient error while issuing is retried with the same input, and the voucher attached once', async () => {
    const run = await start({
      issue: async (n) => {
        if (n === 1) throw new Error('connection terminated');
      },
    });
    await waitForStep(run.handle, 'issued');
    await buyerMoves(run, 'redeemed');
    expect(await run.handle.result()).toEqual({ issued: true, outcome: 'redeemed' });
    const issues = log.callsTo(run.workflowId, 'issueVoucher');
    expect(issues.map((c) => [c.attempt, c.outcome])).toEqual([
      [1, 'threw'],
      [2, 'returned'],
    ]);
    expect(issues[1]!.args).toEqual(issues[0]!.args);
    expect(log.callsTo(run.workflowId, 'attachFulfilmentToAuction')).toHaveLength(1);
  });

  it('a refusal while issuing fails the saga; nothing is attached', async () => {
    const run = await start({
      issue: async () => {
        throw ApplicationFailure.nonRetryable('invalid activity input: title', 'InvalidInput');
      },
    });
    const error = await run.handle.result().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((await run.handle.describe()).status.name).toBe('FAILED');
    expect(log.callsTo(run.workflowId, 'issueVoucher')).toHaveLength(1);
    expect(log.callsTo(run.workflowId, 'attachFulfilmentToAuction')).toHaveLength(0);
    expect(stepsOf(await sagaState(run.handle))).toEqual(['issuing-voucher']);
  });
});
