import { Context } from '@temporalio/activity';
import type { MessageContext } from '../src/platform/messages/message-context.ts';

/**
 * The message context of the activity running now: its saga's workflow id is the
 * correlation (one saga, one business transaction), and the step is the cause,
 * `<workflowId>/<runId>/<activityType>#<activityId>`. Activity ids are a per-run
 * sequence, so the run id keeps a step after continue-as-new (the withdrawal saga) or a
 * reset from taking an earlier step's name; it is also where the Temporal UI finds it.
 * The attempt is left out on purpose: a retried step is the same cause, and its
 * idempotent writes land once. Undefined outside an activity (a test calling it directly).
 */
export function activityMessageContext(): MessageContext | undefined {
  let info: Context['info'];
  try {
    info = Context.current().info;
  } catch {
    return undefined;
  }
  const workflow = info.workflowExecution;
  if (!workflow) return { correlationId: `activity:${info.activityId}`, causationId: `activity:${info.activityType}#${info.activityId}` };
  return {
    correlationId: workflow.workflowId,
    causationId: `${workflow.workflowId}/${workflow.runId}/${info.activityType}#${info.activityId}`,
  };
}
