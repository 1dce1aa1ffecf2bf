import { ApplicationFailure, Context } from '@temporalio/activity';
import { Client, Connection, type WorkflowHandle, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { unscrapedSagaMetricsSinks } from '../../src/platform/temporal/saga-metrics.ts';
import { afterAll, beforeAll, inject } from 'vitest';
import type { AuctionActivities } from '../../activities/auctions.ts';
import type { FulfilmentActivities } from '../../activities/fulfilment.ts';
import type { PaymentActivities } from '../../activities/payments.ts';
import type { PayoutActivities } from '../../activities/payouts.ts';
import type { SettingsActivities } from '../../activities/settings.ts';
import type { SagaContract } from '../../workflows/saga-contract.ts';
import { sagaStateQuery, type SagaState } from '../../workflows/saga-contract.ts';
import { ensureTestRuntime, temporalTarget, uniqueTaskQueue } from './test-env.ts';

/**
 * Workflow tests with stub activities: a real Worker on its own task queue, loading the
 * run's prebuilt workflow bundle, against the suite's Temporal dev server, serving plain
 * async functions the test writes in place of the real activities. No database, no
 * simulators: each stub answers what the branch under test needs and every call is
 * recorded with the workflow that made it, so a test can assert which steps ran, how
 * often, in which order and with which arguments.
 */

export interface RecordedCall {
  workflowId: string;
  runId: string;
  name: string;
  args: unknown[];
  /** Temporal's attempt number of this activity execution (2 and up: a retry). */
  attempt: number;
  startedAt: number;
  /** When the stub returned or threw; undefined while it runs. */
  endedAt?: number;
  outcome?: 'returned' | 'threw' | 'cancelled';
}

export class CallLog {
  readonly calls: RecordedCall[] = [];

  of(workflowId: string): RecordedCall[] {
    return this.calls.filter((call) => call.workflowId === workflowId);
  }

  /** The activity names a workflow called, in the order they started. */
  names(workflowId: string): string[] {
    return this.of(workflowId).map((call) => call.name);
  }

  /** The calls of one activity made by one workflow. */
  callsTo(workflowId: string, name: string): RecordedCall[] {
    return this.of(workflowId).filter((call) => call.name === name);
  }

  /** The arguments of each call of one activity made by one workflow. */
  argsOf(workflowId: string, name: string): unknown[][] {
    return this.callsTo(workflowId, name).map((call) => call.args);
  }
}

type AnyActivity = (...args: any[]) => Promise<unknown>;

/** The workflow whose activity is running: stubs look up the scenario of their test with it. */
export function currentWorkflowId(): string {
  return Context.current().info.workflowExecution?.workflowId ?? '';
}

/** Wraps each stub so each call lands in `log` with its workflow, attempt and timing. */
export function recorded<T extends Record<string, AnyActivity>>(log: CallLog, stubs: T): T {
  const wrapped: Record<string, AnyActivity> = {};
  for (const [name, stub] of Object.entries(stubs)) {
    wrapped[name] = async (...args: unknown[]) => {
      const { workflowExecution, attempt } = Context.current().info;
      const call: RecordedCall = {
        workflowId: workflowExecution?.workflowId ?? '',
        runId: workflowExecution?.runId ?? '',
        name,
        args: structuredClone(args),
        attempt,
        startedAt: Date.now(),
      };
      log.calls.push(call);
      try {
        const result = await stub(...args);
        call.outcome = 'returned';
        return result;
      } catch (error) {
        call.outcome = Context.current().cancellationSignal.aborted ? 'cancelled' : 'threw';
        throw error;
      } finally {
        call.endedAt = Date.now();
      }
    };
  }
  return wrapped as T;
}

/**
 * An activity that stays at "the provider" until Temporal cancels it (the workflow's
 * scope was cancelled): it heartbeats, as a real long call would have to, to learn of
 * the cancellation, then throws it. `release` lets a test end it without a cancellation.
 */
export async function blockUntilCancelled<T>(release?: Promise<T>): Promise<T> {
  const context = Context.current();
  const beat = setInterval(() => context.heartbeat(), 25);
  try {
    return await (release ? Promise.race([release, context.cancelled]) : context.cancelled);
  } finally {
    clearInterval(beat);
  }
}

/** A promise the test resolves by hand: holds a stub until the test says go. */
export function gate<T = void>(): { promise: Promise<T>; open(value: T): void } {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}

export interface SagaTestWorker {
  taskQueue: string;
  client: Client;
  /** Every workflow the tests started through `started`: terminated at stop if still running. */
  track<H extends WorkflowHandle>(handle: H): H;
  /** Ids of workflows started by the workflows themselves (children), to clean up too. */
  trackId(workflowId: string): void;
  /** Starts a saga by its workflow function under its contract's id, on this worker's queue; tracked. */
  startSaga<Input, Result>(
    workflow: (input: Input) => Promise<Result>,
    saga: SagaContract<Input, Result>,
    input: Input,
  ): Promise<WorkflowHandleWithFirstExecutionRunId<(input: Input) => Promise<Result>>>;
  stop(): Promise<void>;
}

/**
 * The saga test worker of one test file: started before its tests, stopped (its running
 * workflows terminated) after them.
 */
export function sagaTestWorkerForThisFile(label: string, activities: Record<string, AnyActivity>): SagaTestWorker {
  let started: SagaTestWorker | undefined;
  beforeAll(async () => {
    started = await startSagaTestWorker(label, activities);
  });
  afterAll(async () => {
    await started?.stop();
  });
  const worker = (): SagaTestWorker => {
    if (!started) throw new Error('the saga test worker starts in beforeAll; use it inside a test');
    return started;
  };
  return {
    get taskQueue() {
      return worker().taskQueue;
    },
    get client() {
      return worker().client;
    },
    track: (handle) => worker().track(handle),
    trackId: (workflowId) => worker().trackId(workflowId),
    startSaga: (workflow, saga, input) => worker().startSaga(workflow, saga, input),
    stop: () => worker().stop(),
  };
}

/** Every activity a saga of this file's kind may call, unused: a call fails its saga at once, naming it. */
type SagaActivities = AuctionActivities & PaymentActivities & FulfilmentActivities & PayoutActivities & SettingsActivities;
const notStubbed = (name: string) => async (): Promise<never> => {
  throw ApplicationFailure.nonRetryable(`${name} is not stubbed by this test`, 'NotStubbed');
};
export const unusedActivities: SagaActivities = {
  sagaTimeouts: notStubbed('sagaTimeouts'),
  endAuction: notStubbed('endAuction'),
  attachPaymentToAuction: notStubbed('attachPaymentToAuction'),
  attachFulfilmentToAuction: notStubbed('attachFulfilmentToAuction'),
  markAuctionPaid: notStubbed('markAuctionPaid'),
  markAuctionUnpaid: notStubbed('markAuctionUnpaid'),
  markAuctionRefunded: notStubbed('markAuctionRefunded'),
  startPayment: notStubbed('startPayment'),
  chargePayment: notStubbed('chargePayment'),
  failChargeAttempt: notStubbed('failChargeAttempt'),
  closePaymentWindow: notStubbed('closePaymentWindow'),
  reconcileChargesAfterWindow: notStubbed('reconcileChargesAfterWindow'),
  refundPayment: notStubbed('refundPayment'),
  refundUnwantedCapture: notStubbed('refundUnwantedCapture'),
  createDelivery: notStubbed('createDelivery'),
  bookCarrier: notStubbed('bookCarrier'),
  recordMissedDeadline: notStubbed('recordMissedDeadline'),
  declareLost: notStubbed('declareLost'),
  issueVoucher: notStubbed('issueVoucher'),
  requestFulfilment: notStubbed('requestFulfilment'),
  deliveryStatus: notStubbed('deliveryStatus'),
  rejectUnansweredOrder: notStubbed('rejectUnansweredOrder'),
  cancelShipment: notStubbed('cancelShipment'),
  remindToConfirm: notStubbed('remindToConfirm'),
  confirmUnclaimedDelivery: notStubbed('confirmUnclaimedDelivery'),
  bookReturn: notStubbed('bookReturn'),
  settleOverdueReturn: notStubbed('settleOverdueReturn'),
  serviceStatus: notStubbed('serviceStatus'),
  expireVoucher: notStubbed('expireVoucher'),
  refundExpiredVoucher: notStubbed('refundExpiredVoucher'),
  schedulePayout: notStubbed('schedulePayout'),
  payPayout: notStubbed('payPayout'),
};

/** What `sagaTimeouts` answers in a workflow test, every window a minute; a test overrides the ones its branch needs. */
export const TEST_SAGA_TIMEOUTS: Awaited<ReturnType<SettingsActivities['sagaTimeouts']>> = {
  paymentWindowMs: 60_000,
  shippingDeadlineMs: 60_000,
  deliveryDeadlineMs: 60_000,
  withdrawalTimeoutMs: 60_000,
  withdrawalAsksPerRun: 10,
  sellerResponseWindowMs: 60_000,
  confirmationWindowMs: 60_000,
  confirmationReminderMs: 30_000,
  voucherValidityMs: 60_000,
  settlementDelayMs: 60_000,
};

/** A real Worker with the given stub activities on a fresh task queue, and a client to the same server. */
export async function startSagaTestWorker(label: string, activities: Record<string, AnyActivity>): Promise<SagaTestWorker> {
  ensureTestRuntime();
  const { address, namespace } = temporalTarget();
  const taskQueue = uniqueTaskQueue(label);
  const nativeConnection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection: nativeConnection,
    namespace,
    taskQueue,
    workflowBundle: { codePath: inject('workflowBundlePath') },
    activities,
    sinks: unscrapedSagaMetricsSinks(),
    // Heartbeats reach the server at once, so a cancelled activity learns of it in milliseconds.
    defaultHeartbeatThrottleInterval: '20 milliseconds',
    maxHeartbeatThrottleInterval: '20 milliseconds',
  });
  const running = worker.run();
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace });
  const ids = new Set<string>();
  return {
    taskQueue,
    client,
    track(handle) {
      ids.add(handle.workflowId);
      return handle;
    },
    trackId: (workflowId) => void ids.add(workflowId),
    async startSaga(workflow, saga, input) {
      const handle = await client.workflow.start(workflow, { args: [input], taskQueue, workflowId: saga.idOf(input) });
      ids.add(handle.workflowId);
      return handle;
    },
    async stop() {
      await Promise.all(
        [...ids].map(async (workflowId) => {
          try {
            const handle = client.workflow.getHandle(workflowId);
            if ((await handle.describe()).status.name === 'RUNNING') await handle.terminate('test cleanup');
          } catch {
            // never started, or already gone
          }
        }),
      );
      worker.shutdown();
      await running;
      await nativeConnection.close();
      await connection.close();
    },
  };
}

/** The saga's journal, through its `sagaState` query. */
export const sagaState = (handle: WorkflowHandle): Promise<SagaState> => handle.query(sagaStateQuery);

/** Polls the journal until the saga has been at `step` (or is at it now); returns the state then. */
export async function waitForStep(handle: WorkflowHandle, step: string, timeoutMs = 10_000): Promise<SagaState> {
  const started = Date.now();
  let last: SagaState | undefined;
  for (;;) {
    try {
      last = await sagaState(handle);
      if (last.step === step || last.history.some((entry) => entry.step === step)) return last;
    } catch {
      // not started by the worker yet
    }
    if (Date.now() - started > timeoutMs) {
      throw new Error(`${handle.workflowId} never reached step ${step}; last: ${JSON.stringify(last?.history.map((h) => h.step))}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Polls until `check` returns true (for stub calls the workflow makes on its own time). */
export async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The steps a saga went through, in order (the journal's history). */
export const stepsOf = (state: SagaState): string[] => state.history.map((entry) => entry.step);
