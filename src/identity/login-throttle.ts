import type { Sql } from '../platform/db/pools.ts';
import { LOGIN_FAILURE_LIMIT, LOGIN_FAILURE_WINDOW_SECONDS } from './domain.ts';

export type LoginAttempt = { kind: 'allowed'; attemptId: string } | { kind: 'locked'; retryAfterSeconds: number };

/** Stale rows deleted per login: enough to keep up with any login rate, bounded work for each. */
const CLEANUP_BATCH = 100;

/**
 * Failed logins per normalized username, in Postgres so that every API instance counts
 * the same failures. A sliding window: a username with `LOGIN_FAILURE_LIMIT` failures in
 * the last `LOGIN_FAILURE_WINDOW_SECONDS` is locked until the oldest of them leaves the
 * window, whatever the password, and the attempts refused meanwhile are not counted
 * (so the lock ends when the window says, not later). Clock: the database's, one for
 * all instances.
 *
 * An attempt is written as a failure *before* the password is checked, and withdrawn
 * when it succeeds. So ten guesses sent at once cannot all slip in under a limit of
 * five: the ones after the fifth see the others and are refused. The price is that an
 * attempt in flight counts against the limit until it succeeds, and that an API killed
 * mid-login leaves one failure behind.
 */
export async function beginLoginAttempt(sql: Sql, username: string): Promise<LoginAttempt> {
  const attemptId = crypto.randomUUID();
  await sql.query(
    `DELETE FROM login_failures WHERE id IN (
       SELECT id FROM login_failures WHERE failed_at < now() - make_interval(secs => $1) LIMIT $2)`,
    [LOGIN_FAILURE_WINDOW_SECONDS, CLEANUP_BATCH],
  );
  await sql.query(`INSERT INTO login_failures (id, username) VALUES ($1, $2)`, [attemptId, username]);
  const { rows } = await sql.query<{ failures: number; retry_after: number | null }>(
    `WITH recent AS (
       SELECT failed_at FROM login_failures
        WHERE username = $1 AND id <> $2 AND failed_at > now() - make_interval(secs => $3)
        ORDER BY failed_at DESC LIMIT $4)
     SELECT count(*)::int AS failures,
            ceil(extract(epoch FROM min(failed_at) + make_interval(secs => $3) - now()))::int AS retry_after
       FROM recent`,
    [username, attemptId, LOGIN_FAILURE_WINDOW_SECONDS, LOGIN_FAILURE_LIMIT],
  );
  const { failures, retry_after } = rows[0]!;
  if (failures < LOGIN_FAILURE_LIMIT) return { kind: 'allowed', attemptId };
  await withdrawLoginAttempt(sql, attemptId);
  return { kind: 'locked', retryAfterSeconds: Math.max(1, retry_after ?? 1) };
}

/** The attempt succeeded: it was no failure after all. */
export async function withdrawLoginAttempt(sql: Sql, attemptId: string): Promise<void> {
  await sql.query(`DELETE FROM login_failures WHERE id = $1`, [attemptId]);
}
