import { eventHandlers } from '../platform/bus/event-handlers.ts';
import type { MessageBus } from '../platform/bus/message-bus.ts';
import type { WorkflowGateway } from '../platform/temporal/workflow-gateway.ts';
import { unwantedCaptureRefundSaga } from '../../workflows/unwanted-capture-refund.contract.ts';
import type { PaymentEvent } from './domain.ts';
import { paymentEventPayloads } from './event-payloads.ts';

/**
 * A capture the payment did not keep (after the window, or a second charge) is refunded
 * by its own small saga, started from the committed fact; its id is the charge's, so a
 * redelivered message starts nothing new.
 */
export function subscribePaymentHandlers(bus: MessageBus, workflows: WorkflowGateway, taskQueue: string): void {
  const handle = eventHandlers<PaymentEvent>(bus);
  handle('UnwantedCaptureRecorded', 'payments.refund-unwanted-capture', paymentEventPayloads.UnwantedCaptureRecorded, async (fact) => {
    await workflows.start(
      unwantedCaptureRefundSaga,
      { paymentId: fact.aggregateId, providerChargeId: fact.providerChargeId, auctionId: fact.auctionId, payerId: fact.payerId },
      { taskQueue },
    );
  });
}
