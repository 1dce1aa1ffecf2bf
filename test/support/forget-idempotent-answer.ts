import type { Sql } from '../../src/platform/db/pools.ts';

/**
 * What an API killed between its commit and storing its answer leaves behind: the key
 * claimed, unanswered, its lease lapsed, so the next try with the key runs again.
 */
export async function forgetIdempotentAnswer(sql: Sql, scope: string, key: string): Promise<void> {
  const { rowCount } = await sql.query(
    `UPDATE idempotency_keys SET status_code = NULL, content_type = NULL, response_body = NULL, completed_at = NULL,
            claimant = gen_random_uuid(), leased_until = now() - interval '1 second'
     WHERE scope = $1 AND key = $2`,
    [scope, key],
  );
  if (rowCount !== 1) throw new Error(`no idempotency key ${key} for ${scope}`);
}
