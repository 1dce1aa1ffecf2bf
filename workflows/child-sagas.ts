import { ParentClosePolicy, WorkflowIdReusePolicy, startChild } from '@temporalio/workflow';
import type { SagaContract } from './saga-contract.ts';

/**
 * Starts a saga as a child that outlives its parent (the parent hands over and ends),
 * under the id and search attributes its contract gives. The id is deterministic, so a
 * second start of the same business fact is refused by the server, never run twice.
 */
export function startChildSaga<Input, Result>(
  workflow: (input: Input) => Promise<Result>,
  saga: SagaContract<Input, Result>,
  input: Input,
) {
  return startChild(workflow, {
    workflowId: saga.idOf(input),
    args: [input],
    parentClosePolicy: ParentClosePolicy.ABANDON,
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    searchAttributes: Object.fromEntries(Object.entries(saga.searchAttributes(input)).map(([name, value]) => [name, [value ?? []].flat()])),
  });
}
