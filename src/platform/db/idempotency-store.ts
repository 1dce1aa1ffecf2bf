import type { Sql } from './pools.ts';

export interface StoredResponse {
  status: number;
  contentType: string;
  body: string;
}

export type IdempotencyClaim =
  | { kind: 'first'; claimant: string }
  | { kind: 'replay'; response: StoredResponse }
  | { kind: 'different_request' }
  | { kind: 'in_progress' };

export interface IdempotencyStoreOptions {
  /**
   * How long a claim holds its key without being renewed. The running request renews it
   * (`renewEveryMs`), so this bounds only how long a dead request keeps a client waiting.
   */
  leaseMs?: number;
}

const DEFAULT_LEASE_MS = 15_000;

/**
 * Idempotency keys in Postgres. The first request with a key inserts a row holding a
 * lease and runs; a repeat with the same request hash gets the stored response; with
 * another hash it is refused; while the lease is held, a repeat is told the first is
 * still running. A lease that lapsed (its process died, or it could not release the key
 * because the database was away) is taken over by the next repeat.
 *
 * A live request renews its lease every third of a lease, so it lapses only when the
 * owner died or could not reach the database for a whole lease. An owner that died after
 * its effect committed is why creating routes take their new id from the key
 * (`idForThisRequest`): the takeover's rerun finds the effect instead of repeating it.
 */
export class PgIdempotencyStore {
  readonly leaseMs: number;

  constructor(
    private readonly sql: Sql,
    options: IdempotencyStoreOptions = {},
  ) {
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  }

  /** How often a running request should renew its claim. */
  get renewEveryMs(): number {
    return Math.floor(this.leaseMs / 3);
  }

  async claim(scope: string, key: string, requestHash: string): Promise<IdempotencyClaim> {
    const claimant = crypto.randomUUID();
    const inserted = await this.sql.query(
      `INSERT INTO idempotency_keys (scope, key, request_hash, claimant, leased_until)
       VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5)) ON CONFLICT DO NOTHING`,
      [scope, key, requestHash, claimant, this.leaseMs / 1_000],
    );
    if (inserted.rowCount === 1) return { kind: 'first', claimant };
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
      `UPDATE idempotency_keys SET claimant = $3, leased_until = now() + make_interval(secs => $4)
       WHERE scope = $1 AND key = $2 AND status_code IS NULL AND leased_until < now()`,
      [scope, key, claimant, this.leaseMs / 1_000],
    );
    return takenOver.rowCount === 1 ? { kind: 'first', claimant } : { kind: 'in_progress' };
  }

  /** Extends a running request's lease; false when it was lost (taken over or released). */
  async renew(scope: string, key: string, claimant: string): Promise<boolean> {
    const renewed = await this.sql.query(
      `UPDATE idempotency_keys SET leased_until = now() + make_interval(secs => $4)
       WHERE scope = $1 AND key = $2 AND claimant = $3 AND status_code IS NULL`,
      [scope, key, claimant, this.leaseMs / 1_000],
    );
    return renewed.rowCount === 1;
  }

  async complete(scope: string, key: string, claimant: string, response: StoredResponse): Promise<void> {
    await this.sql.query(
      `UPDATE idempotency_keys SET status_code = $4, content_type = $5, response_body = $6, completed_at = now()
       WHERE scope = $1 AND key = $2 AND claimant = $3 AND status_code IS NULL`,
      [scope, key, claimant, response.status, response.contentType, response.body],
    );
  }

  /** Forgets a key whose request failed on our side, so the client's retry runs again. */
  async release(scope: string, key: string, claimant: string): Promise<void> {
    await this.sql.query('DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND claimant = $3 AND status_code IS NULL', [
      scope,
      key,
      claimant,
    ]);
  }
}
