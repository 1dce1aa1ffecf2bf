import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { toWorkflowStatus, type WorkflowStatus } from '../../src/platform/temporal/workflow-gateway.ts';
import { concurrencyLimit } from './concurrency-limit.ts';
import type { InvariantRow } from './invariant-row.ts';

export const SAGA_HEALTH_ROW = 'sagas: none failed, terminated or timed out, none stuck on a failing task';

/**
 * How a saga may never end: every saga handles its refusals as business outcomes and
 * compensates when cancelled (`cancelled` is a legitimate end), so a failed run is a
 * defect, a terminated one was killed by hand (its compensations never ran), and a timed
 * out one outlived a limit no saga sets.
 */
const BROKEN_ENDS: readonly WorkflowStatus[] = ['failed', 'terminated', 'timed_out'];

/**
 * Every workflow execution on our task queue (all runs, closed ones too, from the
 * visibility store): none ended badly, and none still running is stuck: a workflow task
 * on its second attempt or later means the worker keeps failing it (a non-determinism
 * error, a bug in workflow code), and an activity on its second attempt or later means
 * a step keeps failing. At quiescence a waiting saga sits on a timer or a signal, with no
 * task pending at all.
 */
export async function sagaHealthRow(client: Client, taskQueue: string): Promise<Omit<InvariantRow, 'name'>> {
  const limit = concurrencyLimit(16);
  const checks: Promise<string[]>[] = [];
  for await (const execution of client.workflow.list({ query: `TaskQueue = ${JSON.stringify(taskQueue)}` })) {
    checks.push(limit(() => judge(client, execution)));
  }
  const violations = (await Promise.all(checks)).flat();
  return { checked: checks.length, violations };
}

async function judge(client: Client, execution: WorkflowExecutionInfo): Promise<string[]> {
  const name = `${execution.workflowId} (${execution.type}, run ${execution.runId})`;
  const listed = toWorkflowStatus(execution.status.name);
  if (listed !== 'running') return BROKEN_ENDS.includes(listed) ? [`${name} is ${listed}`] : [];
  // The visibility store may lag: the execution itself says how it is now.
  const described = await client.workflow.getHandle(execution.workflowId, execution.runId).describe();
  const status = toWorkflowStatus(described.status.name);
  if (status !== 'running') return BROKEN_ENDS.includes(status) ? [`${name} is ${status}`] : [];
  const violations: string[] = [];
  const task = described.raw.pendingWorkflowTask;
  if (task && (task.attempt ?? 0) > 1) violations.push(`${name} is stuck: its workflow task is on attempt ${task.attempt}`);
  for (const activity of described.raw.pendingActivities ?? []) {
    if ((activity.attempt ?? 0) > 1) {
      const failure = activity.lastFailure?.message ? `: ${activity.lastFailure.message}` : '';
      violations.push(
        `${name} keeps retrying activity ${activity.activityType?.name ?? activity.activityId} (attempt ${activity.attempt})${failure}`,
      );
    }
  }
  return violations;
}
