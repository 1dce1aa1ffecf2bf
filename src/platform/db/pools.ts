import pg from 'pg';

/** Anything that can run SQL: a pool, a client, or the client of an open transaction. */
export type Sql = Pick<pg.ClientBase, 'query'>;

/**
 * Two pools per process. Writes go through the read-write pool inside a unit of
 * work; queries (read models) use the read-only pool, whose sessions refuse writes
 * at the server (`default_transaction_read_only`), so a query can never mutate state
 * nor run inside a write transaction.
 */
export interface Pools {
  write: pg.Pool;
  read: pg.Pool;
  end(): Promise<void>;
}

export interface PoolOptions {
  /** Connections per pool; two cores want few. */
  max?: number;
  applicationName?: string;
}

export function createPools(databaseUrl: string, options: PoolOptions = {}): Pools {
  const max = options.max ?? 10;
  const name = options.applicationName ?? 'marketplace-platform';
  const write = new pg.Pool({ connectionString: databaseUrl, max, application_name: `${name}:write` });
  const read = new pg.Pool({
    connectionString: databaseUrl,
    max,
    application_name: `${name}:read`,
    options: '-c default_transaction_read_only=on',
  });
  // A connection the server ends (restart, failover, terminated backend) makes its client
  // emit 'error': while idle in the pool, while checked out, and while being closed by
  // pool.end() (which resolves before the sockets close). Unheard, that event crashes
  // the process; the query in flight, if any, rejects on its own and is handled there.
  for (const pool of [write, read]) {
    pool.on('error', ignoreConnectionError);
    pool.on('connect', (client) => client.on('error', ignoreConnectionError));
  }
  return {
    write,
    read,
    end: async () => {
      await Promise.all([write.end(), read.end()]);
    },
  };
}

/**
 * Checks a client out of the pool for a transaction. While checked out, a client whose
 * connection the server ends (failover, pg_terminate_backend) emits `error`; with no
 * listener that would crash the process. The query in flight rejects anyway and the
 * caller handles that, so the event itself only needs catching.
 * Release with `release(client, broken)`.
 */
export async function checkout(pool: pg.Pool): Promise<pg.PoolClient> {
  const client = await pool.connect();
  client.on('error', ignoreCheckedOutError);
  return client;
}

/** Returns a client from `checkout`; pass the error if the connection is unusable, to have it destroyed. */
export function release(client: pg.PoolClient, broken?: Error): void {
  client.off('error', ignoreCheckedOutError);
  client.release(broken);
}

function ignoreCheckedOutError(): void {}

function ignoreConnectionError(): void {}
