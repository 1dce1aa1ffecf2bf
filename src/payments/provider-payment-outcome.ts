import type { UnitOfWork } from '../platform/db/unit-of-work.ts';
import { WorkflowNotFound, type WorkflowGateway } from '../platform/temporal/workflow-gateway.ts';
import { payingForWonItemSaga } from '../../workflows/paying-for-won-item.contract.ts';
import type { ProviderWebhookEvent } from './provider-webhook-events.ts';
import { applyProviderEvent, type ProviderEvent } from './use-cases.ts';

/** The provider's event as the fact the payment records. */
function providerFact(event: ProviderWebhookEvent): ProviderEvent {
  switch (event.type) {
    case 'payment.charged':
      return { type: 'charged', ...event.data };
    case 'payment.captured':
      return { type: 'captured', ...event.data };
    case 'payment.failed':
      return { type: 'failed', ...event.data };
    case 'payment.refunded':
      return { type: 'refunded', ...event.data };
  }
}

/**
 * A payment provider webhook, in the webhook's unit of work: the payment records the
 * fact, and the auction's paying saga hears of a capture the payment kept or the failure
 * of the attempt in flight, with the event id, by which it deduplicates. A saga that has
 * finished (the window closed, say) is not told: the payment's state is what counts.
 */
export async function receiveProviderPaymentEvent(
  deps: { workflows: WorkflowGateway },
  uow: UnitOfWork,
  event: ProviderWebhookEvent,
): Promise<void> {
  const fact = providerFact(event);
  const { auctionId, tellSaga } = await applyProviderEvent(uow, fact);
  if (!tellSaga) return;
  const { chargeCaptured, chargeFailed } = payingForWonItemSaga.signals;
  // Once the payment's row is written: the saga's next step reads it (closing the window).
  uow.whenWritten(async () => {
    try {
      await deps.workflows.signal(payingForWonItemSaga.workflowId(auctionId), tellSaga === 'captured' ? chargeCaptured : chargeFailed, {
        eventId: event.id,
        ...(fact.type === 'failed' && fact.reason ? { reason: fact.reason } : {}),
      });
    } catch (error) {
      if (!(error instanceof WorkflowNotFound)) throw error;
    }
  });
}
