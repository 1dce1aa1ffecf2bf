import { condition, defineSignal, proxyActivities, setHandler } from '@temporalio/workflow';
import type { BenchActivities } from '../activities.ts';

const { benchNoop } = proxyActivities<BenchActivities>({ startToCloseTimeout: '30 seconds', retry: { maximumAttempts: 3 } });

/** The baseline's one signal, standing in for a saga's webhook. */
export const benchDoneSignal = defineSignal('benchDone');

/**
 * Benchmark baseline only, not a business workflow: the bare cost of a workflow that runs
 * `activities` no-op activities and waits for one signal, to compare a saga against on
 * the same server in the same run (`npm run bench`). Bundled only into the bench worker.
 */
export async function benchBaseline(input: { activities: number }): Promise<void> {
  let done = false;
  setHandler(benchDoneSignal, () => void (done = true));
  for (let i = 0; i < input.activities; i++) await benchNoop();
  await condition(() => done);
}
