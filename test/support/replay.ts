import { Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import type { GrpcWorkflowGateway } from '../../src/platform/temporal/grpc-workflow-gateway.ts';
import { ensureTestRuntime } from './test-env.ts';

/** Replay options for the workflow bundle the global setup built: the code the tests' workers run. */
export const testWorkflowBundle = () => ({ workflowBundle: { codePath: inject('workflowBundlePath') } });

/**
 * Determinism check: fetches the recorded histories of workflows a test ran on the real
 * server and replays them against the current workflow code. Throws if any replay
 * diverges (a non-deterministic change, or code that no longer matches its history).
 */
export async function replayRecordedHistories(workflows: GrpcWorkflowGateway, workflowIds: string[]): Promise<number> {
  const histories = await Promise.all(
    workflowIds.map(async (workflowId) => ({ workflowId, history: await workflows.client.workflow.getHandle(workflowId).fetchHistory() })),
  );
  ensureTestRuntime();
  let replayed = 0;
  for await (const result of Worker.runReplayHistories(testWorkflowBundle(), histories)) {
    if (result.error) throw new Error(`replay of ${result.workflowId} failed: ${result.error.message}`, { cause: result.error });
    replayed++;
  }
  return replayed;
}
