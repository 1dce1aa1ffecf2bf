import { currentMessageContext } from '../messages/message-context.ts';
import { currentTraceParent } from '../observability/trace-parent.ts';
import { OUTBOX_CHANNEL } from './outbox-channel.ts';
import type { Sql } from './pools.ts';
import type { FactOrigin, Message, NewEvent } from './recorded-facts.ts';

/** What a unit of work records besides its aggregates. */
export interface RecordedChanges {
  events: readonly NewEvent[];
  messages: readonly Message[];
}

/**
 * The origin a fact is recorded with: its own when it names either id (null included),
 * else the current message context's, so no writer has to pass the ids along.
 */
export function originOf(fact: Partial<FactOrigin> = {}): FactOrigin {
  if (fact.correlationId !== undefined || fact.causationId !== undefined) {
    return { correlationId: fact.correlationId ?? null, causationId: fact.causationId ?? null };
  }
  const context = currentMessageContext();
  return { correlationId: context?.correlationId ?? null, causationId: context?.causationId ?? null };
}

/**
 * The events into the event store, the messages into the outbox, and the NOTIFY that
 * wakes the relay on commit, as CTEs (`appended`, `enqueued`, `notified`) whose
 * parameters start at `$firstParam`. A writer can put them in front of its own
 * statement, so a use case that changes one aggregate writes everything in one round
 * trip; the main query must read `notified` (an unread plain CTE does not run).
 * `onlyAfter` names an earlier CTE (the versioned write's RETURNING): with no row in
 * it, nothing is recorded, so the statement stays whole when it is its own transaction.
 */
export function recordChangesCtes(changes: RecordedChanges, firstParam: number, onlyAfter?: string): { text: string; values: unknown[] } {
  const p = (i: number) => `$${firstParam + i}`;
  const written = onlyAfter ? `EXISTS (SELECT 1 FROM ${onlyAfter})` : 'TRUE';
  const { events, messages } = changes;
  const eventOrigins = events.map(originOf);
  const messageOrigins = messages.map(originOf);
  return {
    text: `appended AS (
       INSERT INTO event_store (event_id, aggregate_type, aggregate_id, aggregate_version, event_type, payload, correlation_id, causation_id)
       SELECT * FROM unnest(${p(0)}::uuid[], ${p(1)}::text[], ${p(2)}::text[], ${p(3)}::int[], ${p(4)}::text[], ${p(5)}::jsonb[],
                            ${p(10)}::text[], ${p(11)}::text[])
       WHERE ${written}
     ), enqueued AS (
       INSERT INTO outbox (message_id, message_type, payload, correlation_id, causation_id, trace_parent)
       SELECT *, ${p(14)}::text FROM unnest(${p(6)}::uuid[], ${p(7)}::text[], ${p(8)}::jsonb[], ${p(12)}::text[], ${p(13)}::text[])
       WHERE ${written}
     ), notified AS (
       SELECT pg_notify(${p(9)}, NULL) AS sent WHERE cardinality(${p(6)}::uuid[]) > 0 AND ${written}
     )`,
    values: [
      events.map((e) => e.eventId),
      events.map((e) => e.aggregateType),
      events.map((e) => e.aggregateId),
      events.map((e) => e.aggregateVersion),
      events.map((e) => e.type),
      events.map((e) => JSON.stringify(e.payload)),
      messages.map((m) => m.id),
      messages.map((m) => m.type),
      messages.map((m) => JSON.stringify(m.payload)),
      OUTBOX_CHANNEL,
      eventOrigins.map((o) => o.correlationId),
      eventOrigins.map((o) => o.causationId),
      messageOrigins.map((o) => o.correlationId),
      messageOrigins.map((o) => o.causationId),
      messages.length > 0 ? currentTraceParent() : null,
    ],
  };
}

/**
 * An aggregate's versioned write (`UPDATE … WHERE id = $1 AND version = $2`) and the unit
 * of work's records in one statement, for `AggregateWriter.updateRecording`: `alongside`
 * adds CTEs of the writer's own (an auction's new bids), which must read `written` too.
 * The records' parameters start at `$firstParam`; nothing is recorded unless the write
 * matched, so the statement can be a transaction of its own. Reads `written` back.
 */
export function versionedWriteRecording(update: string, firstParam: number, alongside = ''): string {
  const records = recordChangesCtes({ events: [], messages: [] }, firstParam, 'written').text;
  return `WITH written AS (${update} RETURNING 1)${alongside ? `, ${alongside}` : ''}, ${records}
  SELECT (SELECT count(*)::int FROM written) AS written, (SELECT count(*) FROM notified) AS notified`;
}

const RECORD_ONLY = `WITH ${recordChangesCtes({ events: [], messages: [] }, 1).text} SELECT count(*) FROM notified`;

/** Records events and messages in one round trip (prepared once per connection). */
export async function recordChanges(sql: Sql, events: readonly NewEvent[], messages: readonly Message[]): Promise<void> {
  if (events.length === 0 && messages.length === 0) return;
  await sql.query({ name: 'platform.record-changes', text: RECORD_ONLY, values: recordChangesCtes({ events, messages }, 1).values });
}
