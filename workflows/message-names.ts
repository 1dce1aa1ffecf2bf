/**
 * Names of the workflows' signals and queries as plain constants, for callers outside
 * the workflow sandbox (the API, webhooks), which must not import @temporalio/workflow.
 * `messages.ts` turns them into typed definitions for the workflow code.
 */
export { SAGA_STATE_QUERY } from '../src/platform/temporal/saga-state.ts';

/** Diagnostic ping: someone confirms the signal path works end to end. */
export const ACKNOWLEDGE_PING_SIGNAL = 'acknowledgePing';

/** Auction closing: the seller ended the auction early. */
export const END_AUCTION_NOW_SIGNAL = 'endAuctionNow';

/** Paying for a won item: the payer asked to charge a card (from POST /payments/:id/charge). */
export const CHARGE_REQUESTED_SIGNAL = 'chargeRequested';
/** Paying for a won item: the provider's webhooks, deduplicated in the workflow by event id. */
export const PAYMENT_CAPTURED_SIGNAL = 'paymentCaptured';
export const PAYMENT_FAILED_SIGNAL = 'paymentFailed';

/** Delivery fulfilment: a carrier webhook turned signal (`package.shipped`, …), deduplicated by event id. */
export const PACKAGE_EVENT_SIGNAL = 'packageEvent';

/** Bitcoin withdrawal: the lightning node's webhooks, deduplicated in the workflow by event id. */
export const LIGHTNING_PAYMENT_SUCCEEDED_SIGNAL = 'lightningPaymentSucceeded';
export const LIGHTNING_PAYMENT_FAILED_SIGNAL = 'lightningPaymentFailed';
