import type { FulfilmentInput } from './fulfilment-input.ts';
import { fulfilmentSearchAttributes } from './fulfilment-input.ts';
import { defineSaga, signal } from './saga-contract.ts';

export type DeliveryFulfilmentInput = FulfilmentInput & { deliveryId: string };

/** How an order ends. `delivered` is the end of sagas started before buyers confirmed (they stopped at the door). */
export type DeliveryOutcome = 'confirmed' | 'returned' | 'lost' | 'rejected' | 'cancelled' | 'delivered';

/** A carrier webhook turned signal; `eventId` is the webhook's id, for deduplication. */
export interface PackageEvent {
  eventId: string;
  type: 'package.shipped' | 'package.delivered' | 'package.returned' | 'package.lost';
}

/**
 * A party moved the order (accepted, rejected, cancelled, confirmed, claimed a return).
 * Only a wake-up: the saga reads the delivery's status, which the party's write decided.
 */
export interface OrderChanged {
  status: string;
}

/** A paid order through the seller, the carrier and the buyer, `delivery-fulfilment-<deliveryId>` (workflows/delivery-fulfilment.ts). */
export const deliveryFulfilmentSaga = defineSaga<DeliveryFulfilmentInput, { outcome: DeliveryOutcome }>()({
  workflowType: 'deliveryFulfilment',
  workflowId: (deliveryId) => `delivery-fulfilment-${deliveryId}`,
  businessKey: (input) => input.deliveryId,
  searchAttributes: fulfilmentSearchAttributes,
  signals: {
    packageEvent: signal<PackageEvent>('packageEvent'),
    orderChanged: signal<OrderChanged>('orderChanged'),
  },
});
