import { Context } from '@temporalio/activity';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { inject } from 'vitest';
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
  stop(): Promise<void>;
}

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
