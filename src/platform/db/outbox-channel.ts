/**
 * The channel the relay LISTENs on; NOTIFY is delivered only when the writing
 * transaction commits. Its own module: `outbox.ts` and `record-changes.ts` import each
 * other, and a constant in that cycle is read before it exists in whichever module loads
 * second (the standalone relay died of exactly that).
 */
export const OUTBOX_CHANNEL = 'outbox_pending';
