import type { Sql } from './pools.ts';

/** A message as it leaves the platform: a unique id consumers deduplicate on, a type, a body. */
export interface Message<P = Record<string, unknown>> {
  id: string;
  type: string;
  payload: P;
}

/** Channel the relay LISTENs on; NOTIFY is delivered only when the writing transaction commits. */
export const OUTBOX_CHANNEL = 'outbox_pending';

/** Writes messages to the outbox inside the caller's transaction and wakes the relay on commit. */
export async function enqueueMessages(sql: Sql, messages: readonly Message[]): Promise<void> {
  if (messages.length === 0) return;
  await sql.query(
    `INSERT INTO outbox (message_id, message_type, payload)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::jsonb[])`,
    [messages.map((m) => m.id), messages.map((m) => m.type), messages.map((m) => JSON.stringify(m.payload))],
  );
  await sql.query('SELECT pg_notify($1, NULL)', [OUTBOX_CHANNEL]);
}
