import { Gauge, type Registry } from 'prom-client';
import type { Pools } from '../db/pools.ts';

/**
 * `db_pool_connections{pool, state}`: the size of each pool, its idle connections and
 * the queries waiting for one, read from the pools at scrape time. Waiting above zero
 * for long means the pool, not Postgres, is the bottleneck.
 */
export function registerPoolMetrics(registry: Registry, pools: Pools): void {
  new Gauge({
    name: 'db_pool_connections',
    help: 'Connections of each Postgres pool by state (total, idle) and queries waiting for a connection',
    labelNames: ['pool', 'state'] as const,
    registers: [registry],
    collect() {
      for (const [name, pool] of [
        ['write', pools.write],
        ['read', pools.read],
      ] as const) {
        this.set({ pool: name, state: 'total' }, pool.totalCount);
        this.set({ pool: name, state: 'idle' }, pool.idleCount);
        this.set({ pool: name, state: 'waiting' }, pool.waitingCount);
      }
    },
  });
}
