import { eventHandlers } from '../platform/bus/event-handlers.ts';
import type { MessageBus } from '../platform/bus/message-bus.ts';
import type { WorkflowGateway } from '../platform/temporal/workflow-gateway.ts';
import { bitcoinWithdrawalSaga } from '../../workflows/bitcoin-withdrawal.contract.ts';
import type { WithdrawalEvent } from './domain.ts';
import { withdrawalEventPayloads } from './event-payloads.ts';

/** The outbox's guarantee behind `POST /withdrawals`: every requested withdrawal gets its saga. */
export function subscribeBitcoinHandlers(bus: MessageBus, workflows: WorkflowGateway, taskQueue: string): void {
  const handle = eventHandlers<WithdrawalEvent>(bus);
  handle('WithdrawalRequested', 'bitcoin.start-withdrawal-saga', withdrawalEventPayloads.WithdrawalRequested, async (event) => {
    await workflows.start(
      bitcoinWithdrawalSaga,
      {
        withdrawalId: event.aggregateId,
        accountId: event.accountId,
        customerId: event.customerId,
        amount: event.amount,
        paymentHash: event.paymentHash,
      },
      { taskQueue },
    );
  });
}
