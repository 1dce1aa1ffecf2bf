/**
 * Patch ids (`patched()`), for code changes that running sagas must not see: a history
 * recorded without the marker replays, and finishes, on the code it began with.
 */

/** Issue 13: the order after payment (seller's answer, confirmation, returns, payouts, voucher expiry). */
export const ORDER_AFTER_PAYMENT = 'order-after-payment';
