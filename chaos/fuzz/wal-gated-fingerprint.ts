import type { Sql } from '../../src/platform/db/pools.ts';
import { stateFingerprint } from './state-fingerprint.ts';

/**
 * `stateFingerprint`, computed again only when the write-ahead log has moved. Hashing
 * every table is slow once a long run has filled them (half a second a request after a
 * ten-minute load), while most fuzzed requests are refused and write nothing at all. A
 * request that wrote anything moved the WAL insert position, so an unmoved position
 * means the last fingerprint still holds; a moved one (a write, or the server's own
 * housekeeping) is hashed again in full, so the comparison stays exact.
 */
export function walGatedFingerprint(sql: Sql): () => Promise<string> {
  let last: { lsn: string; fingerprint: string } | undefined;
  return async () => {
    const lsn = await walInsertPosition(sql);
    if (last?.lsn === lsn) return last.fingerprint;
    const fingerprint = await stateFingerprint(sql);
    // The position read before hashing: a write during the hash moves it, and the next call hashes again.
    last = { lsn, fingerprint };
    return fingerprint;
  };
}

async function walInsertPosition(sql: Sql): Promise<string> {
  const { rows } = await sql.query<{ lsn: string }>('SELECT pg_current_wal_insert_lsn()::text AS lsn');
  return rows[0]!.lsn;
}
