import { z } from 'zod';
import type { MessageBus } from '../platform/bus/message-bus.ts';
import type { WorkflowGateway } from '../platform/temporal/workflow-gateway.ts';

export const unwantedCaptureRefundWorkflowId = (providerChargeId: string) => `unwanted-capture-refund-${providerChargeId}`;

const UnwantedCapture = z.object({
  aggregateId: z.string().uuid(),
  providerChargeId: z.string().min(1),
  auctionId: z.string().uuid(),
  payerId: z.string().min(1),
});

/**
 * A capture the payment did not keep (after the window, or a second charge) is refunded
 * by its own small saga, started from the committed fact; its id is the charge's, so a
 * redelivered message starts nothing new.
 */
export function subscribePaymentHandlers(bus: MessageBus, workflows: WorkflowGateway, taskQueue: string): void {
  bus.subscribe('UnwantedCaptureRecorded', 'payments.refund-unwanted-capture', async ({ payload }) => {
    const fact = UnwantedCapture.parse(payload);
    await workflows.start({
      workflowType: 'unwantedCaptureRefund',
      workflowId: unwantedCaptureRefundWorkflowId(fact.providerChargeId),
      taskQueue,
      args: [{ paymentId: fact.aggregateId, providerChargeId: fact.providerChargeId, auctionId: fact.auctionId, payerId: fact.payerId }],
      searchAttributes: { PaymentId: fact.aggregateId, AuctionId: fact.auctionId, CustomerId: [fact.payerId] },
    });
  });
}
