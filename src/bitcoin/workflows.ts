import type { WorkflowGateway } from '../platform/temporal/workflow-gateway.ts';
import { bitcoinWithdrawalWorkflowId, type WithdrawalSagaInput } from './use-cases.ts';

/**
 * Starts the withdrawal's saga. Called by `POST /withdrawals` right after the withdrawal
 * is stored, and again by the outbox handler of `WithdrawalRequested`, so a crash between
 * the two cannot leave a pending withdrawal without its saga; the deterministic id makes
 * the second start a no-op.
 */
export async function startBitcoinWithdrawal(workflows: WorkflowGateway, taskQueue: string, input: WithdrawalSagaInput): Promise<string> {
  const workflowId = bitcoinWithdrawalWorkflowId(input.withdrawalId);
  await workflows.start({
    workflowType: 'bitcoinWithdrawal',
    workflowId,
    taskQueue,
    args: [input],
    searchAttributes: { WithdrawalId: input.withdrawalId, CustomerId: [input.customerId] },
  });
  return workflowId;
}
