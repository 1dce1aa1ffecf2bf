import type { NewEvent } from './event-store.ts';
import { OUTBOX_CHANNEL, type Message } from './outbox.ts';
import type { Sql } from './pools.ts';

/**
 * One round trip for what a unit of work records besides its aggregates: the events
 * into the event store, the messages into the outbox, and the NOTIFY that wakes the
 * relay on commit. The same SQL as appendEvents + enqueueMessages, as one statement,
 * because round trips are most of a short transaction's cost.
 */
export async function recordChanges(sql: Sql, events: readonly NewEvent[], messages: readonly Message[]): Promise<void> {
  if (events.length === 0 && messages.length === 0) return;
  await sql.query({
    // Named: prepared once per connection, then only bound and executed.
    name: 'platform.record-changes',
    text: `WITH appended AS (
       INSERT INTO event_store (event_id, aggregate_type, aggregate_id, aggregate_version, event_type, payload)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $5::text[], $6::jsonb[])
     ), enqueued AS (
       INSERT INTO outbox (message_id, message_type, payload)
       SELECT * FROM unnest($7::uuid[], $8::text[], $9::jsonb[])
     )
     SELECT pg_notify($10, NULL) WHERE cardinality($7::uuid[]) > 0`,
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
    ],
  });
}
