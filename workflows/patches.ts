/**
 * Patch ids (`patched()`), for code changes that running sagas must not see: a history
 * recorded without the marker replays, and finishes, on the code it began with.
 */

/** Issue 13: the order after payment (seller's answer, confirmation, returns, payouts, voucher expiry). */
export const ORDER_AFTER_PAYMENT = 'order-after-payment';

/**
 * 2026-11-30: a saga writes its step to Temporal's record when it comes to rest (before a
 * timer) and when it ends, in one upsert of what changed, instead of one upsert per step
 * (SagaJournal). Every search-attribute upsert is an event and a visibility write on the
 * server, and a paying saga with its delivery child made thirteen.
 *
 * It is asked first, in a saga's first workflow task, so it also tells a saga started by
 * this code or later: such a saga takes the new branch of every patch above without
 * asking, and its history carries this one marker instead of one per patch.
 */
export const SAGAS_OF_2026_11_30 = 'sagas-of-2026-11-30';
