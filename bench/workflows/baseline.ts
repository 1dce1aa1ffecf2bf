import { ParentClosePolicy, condition, defineSignal, proxyActivities, setHandler, startChild } from '@temporalio/workflow';
import type { BenchActivities } from '../activities.ts';

const { benchNoop, benchCall, benchReached } = proxyActivities<BenchActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 3 },
});

/** The baseline's one signal, standing in for a saga's webhook. */
export const benchDoneSignal = defineSignal('benchDone');

export interface BenchBaselineInput {
  /** No-op activities before the wait for the signal (all of them, when `after` is not given). */
  activities: number;
  /** Activities after the signal, only when it had to be waited for (a saga that asks the node once woken). */
  whenWaited?: number;
  /** No-op activities after the signal, as a saga that acts on the webhook's word. */
  after?: number;
  /**
   * Positions (0-based, over before and after) of activities that are a bare HTTP round trip
   * (`benchCall`) instead of a no-op, where the saga calls the outside world.
   */
  calls?: { url: string; at: number[]; body?: unknown };
  /** Wait for the signal under a timer of this length, as a saga waits under a deadline (none: no timer). */
  signalWithinMs?: number;
  /** Hand over to a child that outlives this workflow, as the paying saga hands over to fulfilment. */
  child?: BenchChildInput & { workflowId: string };
}

export interface BenchChildInput {
  /** No-op activities, then the wait. */
  activities: number;
  /** Reported by the last activity, so the bench knows the child got to its wait. */
  reachedKey: string;
  /** How long it waits for a signal that never comes (a seller who has not answered yet), under a timer. */
  waitMs: number;
}

/**
 * Benchmark baseline only, not a business workflow: the bare cost of a workflow of the
 * same shape as the saga it is compared with (as many activities, the signal at the same
 * point, the same timers, the same HTTP round trips to the outside world, the same
 * child), each step doing nothing of its own, on the same server in the same run
 * (`npm run bench`). Bundled only into the bench worker.
 */
export async function benchBaseline(input: BenchBaselineInput): Promise<void> {
  let done = false;
  setHandler(benchDoneSignal, () => void (done = true));
  const before = input.activities;
  const step = async (position: number) => {
    if (input.calls?.at.includes(position)) await benchCall(input.calls.url, input.calls.body ?? {});
    else await benchNoop();
  };
  for (let i = 0; i < before; i++) await step(i);
  // As the sagas do: a signal already in hand is not waited for, so no timer is started.
  const waited = !done;
  if (input.signalWithinMs === undefined) await condition(() => done);
  else if (waited && !(await condition(() => done, input.signalWithinMs))) throw new Error('the baseline signal never came');
  const whenWaited = input.whenWaited ?? 0;
  if (waited) for (let i = 0; i < whenWaited; i++) await step(before + i);
  for (let i = 0; i < (input.after ?? 0); i++) await step(before + whenWaited + i);
  if (input.child) {
    const { workflowId, ...child } = input.child;
    await startChild(benchBaselineChild, { workflowId, args: [child], parentClosePolicy: ParentClosePolicy.ABANDON });
  }
}

/** The baseline's hand-over: a few no-op steps, then a wait under a timer, like an order waiting for its seller. */
export async function benchBaselineChild(input: BenchChildInput): Promise<void> {
  let nudged = false;
  setHandler(benchDoneSignal, () => void (nudged = true));
  for (let i = 0; i < input.activities - 1; i++) await benchNoop();
  await benchReached(input.reachedKey);
  await condition(() => nudged, input.waitMs);
}
