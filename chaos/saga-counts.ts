import type { Client } from '@temporalio/client';

/** How many sagas of each type the run started, from Temporal's own visibility records. */
export async function countSagasByType(temporal: Client, taskQueue: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for await (const execution of temporal.workflow.list({ query: `TaskQueue = '${taskQueue}'` })) {
    counts[execution.type] = (counts[execution.type] ?? 0) + 1;
  }
  return counts;
}
