import type { Sql } from './pools.ts';

/**
 * Records that `consumer` handled `messageId`, inside the consumer's own transaction.
 * Returns false when it already had, so the caller skips the effect. Because the
 * record commits or rolls back together with the effect, a message is handled once
 * however often it is delivered. A concurrent duplicate waits on the primary key
 * until the first commits, then sees it.
 */
export async function recordInInbox(sql: Sql, consumer: string, messageId: string): Promise<boolean> {
  const { rowCount } = await sql.query('INSERT INTO inbox (consumer, message_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
    consumer,
    messageId,
  ]);
  return rowCount === 1;
}
