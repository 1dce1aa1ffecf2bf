import type { Sql } from './pools.ts';
import type { NewEvent, StoredEvent } from './recorded-facts.ts';
import { recordChanges } from './record-changes.ts';

export type { NewEvent, StoredEvent } from './recorded-facts.ts';

/**
 * Appends events inside the caller's transaction. The unique
 * (aggregate_id, aggregate_version) constraint refuses a second event at a version
 * that already exists, so two writers can never both extend the same history.
 */
export async function appendEvents(sql: Sql, events: readonly NewEvent[]): Promise<void> {
  await recordChanges(sql, events, []);
}

/** One aggregate's history in version order. */
export async function readAggregateEvents(sql: Sql, aggregateType: string, aggregateId: string): Promise<StoredEvent[]> {
  const { rows } = await sql.query(`${SELECT} WHERE aggregate_type = $1 AND aggregate_id = $2 ORDER BY aggregate_version`, [
    aggregateType,
    aggregateId,
  ]);
  return rows.map(toStoredEvent);
}

/**
 * All events in global order after `afterSeq`, a page at a time. A sequence number is
 * taken at insert, not at commit, so a reader tailing the log can see a later number
 * before an earlier one commits; delivery to consumers therefore goes through the
 * outbox, and this read serves audits, projections rebuilt offline and tests.
 */
export async function readAllEvents(sql: Sql, afterSeq = '0', limit = 1000): Promise<StoredEvent[]> {
  const { rows } = await sql.query(`${SELECT} WHERE global_seq > $1 ORDER BY global_seq LIMIT $2`, [afterSeq, limit]);
  return rows.map(toStoredEvent);
}

const SELECT = `SELECT global_seq, event_id, aggregate_type, aggregate_id, aggregate_version, event_type, payload, created_at,
                       correlation_id, causation_id
                FROM event_store`;

function toStoredEvent(row: Record<string, unknown>): StoredEvent {
  return {
    globalSeq: String(row.global_seq),
    eventId: String(row.event_id),
    aggregateType: String(row.aggregate_type),
    aggregateId: String(row.aggregate_id),
    aggregateVersion: Number(row.aggregate_version),
    type: String(row.event_type),
    payload: row.payload as Record<string, unknown>,
    createdAt: row.created_at as Date,
    correlationId: (row.correlation_id as string | null) ?? null,
    causationId: (row.causation_id as string | null) ?? null,
  };
}
