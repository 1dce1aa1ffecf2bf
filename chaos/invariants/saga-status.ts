import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { toWorkflowStatus, type WorkflowStatus } from '../../src/platform/temporal/workflow-gateway.ts';
import { concurrencyLimit } from './concurrency-limit.ts';

/** A saga's state as Temporal reports it for its id (the newest run), or `not found` when no run has that id. */
export type SagaState = WorkflowStatus | 'not found';

/**
 * Looks up each workflow id's newest run once (several aggregates name the same saga),
 * a few at a time. `describe()` reads the execution itself, not the visibility store,
 * so it is current even where a list query would lag.
 */
export function sagaStateLookup(client: Client, concurrency = 16): (workflowId: string) => Promise<SagaState> {
  const limit = concurrencyLimit(concurrency);
  const known = new Map<string, Promise<SagaState>>();
  return (workflowId) => {
    let state = known.get(workflowId);
    if (!state) {
      state = limit(async () => {
        try {
          return toWorkflowStatus((await client.workflow.getHandle(workflowId).describe()).status.name);
        } catch (error) {
          if (error instanceof WorkflowNotFoundError) return 'not found';
          throw error;
        }
      });
      known.set(workflowId, state);
    }
    return state;
  };
}
