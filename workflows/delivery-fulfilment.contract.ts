import type { FulfilmentInput } from './fulfilment-input.ts';
import { fulfilmentSearchAttributes } from './fulfilment-input.ts';
import { defineSaga, signal } from './saga-contract.ts';

export type DeliveryFulfilmentInput = FulfilmentInput & { deliveryId: string };

export type DeliveryOutcome = 'delivered' | 'returned' | 'lost';

/** A carrier webhook turned signal; `eventId` is the webhook's id, for deduplication. */
export interface PackageEvent {
  eventId: string;
  type: 'package.shipped' | 'package.delivered' | 'package.returned' | 'package.lost';
}

/** A parcel through the carrier, `delivery-fulfilment-<deliveryId>` (workflows/delivery-fulfilment.ts). */
export const deliveryFulfilmentSaga = defineSaga<DeliveryFulfilmentInput, { outcome: DeliveryOutcome }>()({
  workflowType: 'deliveryFulfilment',
  workflowId: (deliveryId) => `delivery-fulfilment-${deliveryId}`,
  businessKey: (input) => input.deliveryId,
  searchAttributes: fulfilmentSearchAttributes,
  signals: {
    packageEvent: signal<PackageEvent>('packageEvent'),
  },
});
