import type { MessageBus } from '../platform/bus/message-bus.ts';
import type { WorkflowGateway } from '../platform/temporal/workflow-gateway.ts';
import { startBitcoinWithdrawal } from './workflows.ts';

/** The outbox's guarantee behind `POST /withdrawals`: every requested withdrawal gets its saga. */
export function subscribeBitcoinHandlers(bus: MessageBus, workflows: WorkflowGateway, taskQueue: string): void {
  bus.subscribe('WithdrawalRequested', 'bitcoin.start-withdrawal-saga', async ({ payload }) => {
    await startBitcoinWithdrawal(workflows, taskQueue, {
      withdrawalId: String(payload.aggregateId),
      accountId: String(payload.accountId),
      customerId: String(payload.customerId),
      amount: payload.amount as { amount: string; currency: 'SAT' },
      paymentHash: String(payload.paymentHash),
    });
  });
}
