// The workflow bundle's entry: every workflow type the worker serves.
export { diagnosticPing } from './diagnostic-ping.ts';
export { auctionClosing } from './auction-closing.ts';
export { payingForWonItem } from './paying-for-won-item.ts';
export { deliveryFulfilment } from './delivery-fulfilment.ts';
export { serviceFulfilment } from './service-fulfilment.ts';
export { bitcoinWithdrawal } from './bitcoin-withdrawal.ts';
export { unwantedCaptureRefund } from './unwanted-capture-refund.ts';
export { campaign } from './campaign.ts';
