import type { Sql } from '../../src/platform/db/pools.ts';
import type { InvariantRow } from './invariant-row.ts';

export const OUTBOX_ROW = 'outbox drained';

/**
 * At quiescence the relay has dispatched every committed message: one still waiting is a
 * consequence (a saga start, an e-mail) that has not happened, and its attempts and last
 * error say why.
 */
export async function outboxRow(read: Sql): Promise<Omit<InvariantRow, 'name'>> {
  const { rows: waiting } = await read.query(
    `SELECT message_id::text AS message_id, message_type, attempts, last_error, available_at
     FROM outbox WHERE dispatched_at IS NULL ORDER BY id`,
  );
  const { rows: total } = await read.query('SELECT count(*)::int AS n FROM outbox');
  const violations = waiting.map(
    (m) =>
      `outbox message ${m.message_id} (${m.message_type}) is not dispatched after ${m.attempts} attempts` +
      (m.last_error ? `, last error: ${m.last_error}` : '') +
      ` (next try at ${(m.available_at as Date).toISOString()})`,
  );
  return { checked: total[0].n, violations };
}
