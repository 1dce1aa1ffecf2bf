/**
 * The two kinds of fact a unit of work records besides its aggregates, as types only:
 * the writers (event store, outbox, record-changes) and their readers share them without
 * importing one another.
 */

/** An event as stored: what happened, to which aggregate, at which of its versions. */
export interface StoredEvent {
  globalSeq: string;
  eventId: string;
  aggregateType: string;
  aggregateId: string;
  aggregateVersion: number;
  type: string;
  payload: Record<string, unknown>;
  createdAt: Date;
}

export type NewEvent = Omit<StoredEvent, 'globalSeq' | 'createdAt'>;

/** A message as it leaves the platform: a unique id consumers deduplicate on, a type, a body. */
export interface Message<P = Record<string, unknown>> {
  id: string;
  type: string;
  payload: P;
}
