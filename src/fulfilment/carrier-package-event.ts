import type { UnitOfWork } from '../platform/db/unit-of-work.ts';
import { WorkflowNotFound, type WorkflowGateway } from '../platform/temporal/workflow-gateway.ts';
import { deliveryFulfilmentSaga } from '../../workflows/delivery-fulfilment.contract.ts';
import type { CarrierWebhookEvent } from './carrier-webhook-events.ts';
import { applyCarrierEvent } from './use-cases.ts';

/**
 * A carrier webhook, in the webhook's unit of work: the delivery records the package
 * event, and, if it was news, the delivery's saga hears of it with the event id, by
 * which it deduplicates. A saga that has finished is not told.
 */
export async function receiveCarrierPackageEvent(
  deps: { workflows: WorkflowGateway },
  uow: UnitOfWork,
  event: CarrierWebhookEvent,
): Promise<void> {
  const { type, data } = event;
  const news = await applyCarrierEvent(uow, data.deliveryId, type, data.trackingNumber);
  if (!news) return; // a repeat, or late: nothing for the saga
  // Once the delivery's row is written: the saga's next steps read it.
  uow.whenWritten(async () => {
    try {
      await deps.workflows.signal(deliveryFulfilmentSaga.workflowId(data.deliveryId), deliveryFulfilmentSaga.signals.packageEvent, {
        eventId: event.id,
        type,
      });
    } catch (error) {
      if (!(error instanceof WorkflowNotFound)) throw error;
    }
  });
}
