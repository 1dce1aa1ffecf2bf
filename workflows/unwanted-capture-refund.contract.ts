import { defineSaga } from './saga-contract.ts';

export interface UnwantedCaptureRefundInput {
  paymentId: string;
  providerChargeId: string;
  auctionId: string;
  payerId: string;
}

/** Gives back a capture the payment did not keep, `unwanted-capture-refund-<chargeId>` (workflows/unwanted-capture-refund.ts). */
export const unwantedCaptureRefundSaga = defineSaga<UnwantedCaptureRefundInput, { refundId: string }>()({
  workflowType: 'unwantedCaptureRefund',
  workflowId: (providerChargeId) => `unwanted-capture-refund-${providerChargeId}`,
  businessKey: (input) => input.providerChargeId,
  searchAttributes: (input) => ({ PaymentId: input.paymentId, AuctionId: input.auctionId, CustomerId: [input.payerId] }),
  signals: {},
});
