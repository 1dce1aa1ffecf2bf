/**
 * The two kinds of fact a unit of work records besides its aggregates, as types only:
 * the writers (event store, outbox, record-changes) and their readers share them without
 * importing one another.
 */

/**
 * Where a fact came from (src/platform/messages/message-context.ts): the request or saga
 * it belongs to and the message that caused it. Null on facts recorded before these were
 * kept, and where nothing caused it but a request.
 */
export interface FactOrigin {
  correlationId: string | null;
  causationId: string | null;
}

/** An event as stored: what happened, to which aggregate, at which of its versions, and why. */
export interface StoredEvent extends FactOrigin {
  globalSeq: string;
  eventId: string;
  aggregateType: string;
  aggregateId: string;
  aggregateVersion: number;
  type: string;
  payload: Record<string, unknown>;
  createdAt: Date;
}

/** An event to append; an origin left out is the current message context's. */
export type NewEvent = Omit<StoredEvent, 'globalSeq' | 'createdAt' | keyof FactOrigin> & Partial<FactOrigin>;

/**
 * A message as it leaves the platform: a unique id consumers deduplicate on, a type, a
 * body, and its origin (left out when enqueued: the current message context's).
 */
export interface Message<P = Record<string, unknown>> extends Partial<FactOrigin> {
  id: string;
  type: string;
  payload: P;
}
