import type { FulfilmentInput } from './fulfilment-input.ts';
import { fulfilmentSearchAttributes } from './fulfilment-input.ts';
import { defineSaga, signal } from './saga-contract.ts';

export type ServiceFulfilmentInput = FulfilmentInput & { serviceId: string };

/** How a voucher ends. `issued` is the end of sagas started before vouchers expired (they stopped at issuing). */
export type ServiceOutcome = 'redeemed' | 'cancelled' | 'expired' | 'issued';

/** The buyer redeemed or cancelled the voucher: a wake-up, the voucher's status decides. */
export interface VoucherChanged {
  status: string;
}

/** An e-voucher, `service-fulfilment-<serviceId>` (workflows/service-fulfilment.ts). */
export const serviceFulfilmentSaga = defineSaga<ServiceFulfilmentInput, { issued: true; outcome?: ServiceOutcome }>()({
  workflowType: 'serviceFulfilment',
  workflowId: (serviceId) => `service-fulfilment-${serviceId}`,
  businessKey: (input) => input.serviceId,
  searchAttributes: fulfilmentSearchAttributes,
  signals: {
    voucherChanged: signal<VoucherChanged>('voucherChanged'),
  },
});
