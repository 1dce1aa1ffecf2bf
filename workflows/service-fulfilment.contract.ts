import type { FulfilmentInput } from './fulfilment-input.ts';
import { fulfilmentSearchAttributes } from './fulfilment-input.ts';
import { defineSaga } from './saga-contract.ts';

export type ServiceFulfilmentInput = FulfilmentInput & { serviceId: string };

/** An e-voucher, `service-fulfilment-<serviceId>` (workflows/service-fulfilment.ts); redeemed through the API, not by signal. */
export const serviceFulfilmentSaga = defineSaga<ServiceFulfilmentInput, { issued: true }>()({
  workflowType: 'serviceFulfilment',
  workflowId: (serviceId) => `service-fulfilment-${serviceId}`,
  businessKey: (input) => input.serviceId,
  searchAttributes: fulfilmentSearchAttributes,
  signals: {},
});
