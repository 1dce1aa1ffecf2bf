import type { Sql } from './pools.ts';

export interface StoredResponse {
  status: number;
  contentType: string;
  body: string;
}

export type IdempotencyClaim =
  { kind: 'first' } | { kind: 'replay'; response: StoredResponse } | { kind: 'different_request' } | { kind: 'in_progress' };

/** A request left unfinished this long (its process died) may be taken over by a retry. */
const ABANDONED_AFTER_SECONDS = 120;

/**
 * Idempotency keys in Postgres. The first request with a key inserts a row and runs;
 * a repeat with the same request hash gets the stored response; with another hash it
 * is refused; while the first is still running, a repeat is told so.
 */
export class PgIdempotencyStore {
  constructor(private readonly sql: Sql) {}

  async claim(scope: string, key: string, requestHash: string): Promise<IdempotencyClaim> {
    const inserted = await this.sql.query(
      `INSERT INTO idempotency_keys (scope, key, request_hash) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
      [scope, key, requestHash],
    );
    if (inserted.rowCount === 1) return { kind: 'first' };
    const { rows } = await this.sql.query<{
      request_hash: string;
      status_code: number | null;
      content_type: string | null;
      response_body: string | null;
    }>('SELECT request_hash, status_code, content_type, response_body FROM idempotency_keys WHERE scope = $1 AND key = $2', [scope, key]);
    const row = rows[0];
    if (!row) return this.claim(scope, key, requestHash); // released between our two statements
    if (row.request_hash !== requestHash) return { kind: 'different_request' };
    if (row.status_code !== null) {
      return {
        kind: 'replay',
        response: { status: row.status_code, contentType: row.content_type ?? 'application/json', body: row.response_body ?? '' },
      };
    }
    const takenOver = await this.sql.query(
      `UPDATE idempotency_keys SET created_at = now()
       WHERE scope = $1 AND key = $2 AND status_code IS NULL AND created_at < now() - make_interval(secs => $3)`,
      [scope, key, ABANDONED_AFTER_SECONDS],
    );
    return takenOver.rowCount === 1 ? { kind: 'first' } : { kind: 'in_progress' };
  }

  async complete(scope: string, key: string, response: StoredResponse): Promise<void> {
    await this.sql.query(
      `UPDATE idempotency_keys SET status_code = $3, content_type = $4, response_body = $5, completed_at = now()
       WHERE scope = $1 AND key = $2`,
      [scope, key, response.status, response.contentType, response.body],
    );
  }

  /** Forgets a key whose request failed on our side, so the client's retry runs again. */
  async release(scope: string, key: string): Promise<void> {
    await this.sql.query('DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND status_code IS NULL', [scope, key]);
  }
}
