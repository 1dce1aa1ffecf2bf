import type { Sql } from '../../src/platform/db/pools.ts';

/**
 * The business state as one comparable string: a digest per table of the public schema,
 * over its rows in a fixed order. Left out: `idempotency_keys` (a refused request must
 * store nothing there, which the fuzz checks by count, while accepted ones legitimately
 * add to it), `login_failures` (a refused login is remembered on purpose: it is what
 * locks a username after five) and `schema_migrations` (not business state). The string reads
 * `table=digest;…`, so two fingerprints also tell which tables differ.
 */
export const TABLES_LEFT_OUT = ['idempotency_keys', 'login_failures', 'schema_migrations'];

export async function stateFingerprint(sql: Sql): Promise<string> {
  const { rows: tables } = await sql.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables
     WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND NOT (table_name = ANY($1))
     ORDER BY table_name`,
    [TABLES_LEFT_OUT],
  );
  if (tables.length === 0) return '';
  // Each row's text form hashed, the hashes summed with the row count: independent of physical order
  // without sorting, so it stays cheap on the tables a long run fills (a sorted md5 cost 0.3 s a call).
  const digests = tables.map(
    ({ name }) =>
      `SELECT ${literal(name)} AS name, count(*) || ':' || coalesce(sum(hashtextextended(t::text, 0)::numeric), 0) AS digest FROM public.${identifier(name)} t`,
  );
  const { rows } = await sql.query<{ name: string; digest: string }>(`${digests.join(' UNION ALL ')} ORDER BY name`);
  return rows.map((r) => `${r.name}=${r.digest}`).join(';');
}

/** The tables whose digests differ between two fingerprints, comma-separated. */
export function changedTables(before: string, after: string): string {
  const digests = (fingerprint: string) => new Map(fingerprint.split(';').map((part) => part.split('=') as [string, string]));
  const a = digests(before);
  const b = digests(after);
  const names = [...new Set([...a.keys(), ...b.keys()])].filter((name) => a.get(name) !== b.get(name));
  return names.length > 0 ? names.join(', ') : 'the state';
}

/** Whether the outbox relay has delivered everything committed so far. */
export async function outboxDrained(sql: Sql): Promise<boolean> {
  const { rows } = await sql.query<{ pending: boolean }>('SELECT EXISTS (SELECT 1 FROM outbox WHERE dispatched_at IS NULL) AS pending');
  return !rows[0]!.pending;
}

/** Polls `outboxDrained` until it holds; returns false if it did not within `timeoutMs` (the caller decides what that means). */
export async function waitForOutboxDrained(sql: Sql, timeoutMs = 5_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!(await outboxDrained(sql))) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return true;
}

/** How many Idempotency-Keys are stored. */
export async function idempotencyKeyCount(sql: Sql): Promise<number> {
  const { rows } = await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM idempotency_keys');
  return rows[0]!.n;
}

const identifier = (name: string) => `"${name.replaceAll('"', '""')}"`;
const literal = (name: string) => `'${name.replaceAll("'", "''")}'`;
