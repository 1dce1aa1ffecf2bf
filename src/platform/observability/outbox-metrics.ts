import type pg from 'pg';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Message } from '../db/outbox.ts';

/** The relay's series: what it moved, what failed, and what still waits. */
export interface OutboxMetrics {
  dispatched: Counter<'type'>;
  failures: Counter<'type'>;
  batchDuration: Histogram;
}

/**
 * The backlog and the lag are read from the outbox itself at scrape time, not kept by
 * the relay: they hold across several relays and while no relay runs at all, which is
 * exactly when they matter. Both read the partial index of pending rows.
 */
export function createOutboxMetrics(registry: Registry, pool: pg.Pool): OutboxMetrics {
  let pending: Promise<{ backlog: number; lagSeconds: number }> | undefined;
  // One query per scrape feeds both gauges.
  const readBacklog = () =>
    (pending ??= pool
      .query<{ backlog: string; lag: number | null }>(
        `SELECT count(*) AS backlog, extract(epoch FROM now() - min(created_at))::float8 AS lag
         FROM outbox WHERE dispatched_at IS NULL`,
      )
      .then(({ rows }) => ({ backlog: Number(rows[0]!.backlog), lagSeconds: Math.max(0, rows[0]!.lag ?? 0) }))
      .finally(() => setTimeout(() => (pending = undefined), 0)));
  new Gauge({
    name: 'outbox_backlog_messages',
    help: 'Outbox messages committed and not yet delivered',
    registers: [registry],
    async collect() {
      this.set((await readBacklog()).backlog);
    },
  });
  new Gauge({
    name: 'outbox_relay_lag_seconds',
    help: 'Age of the oldest outbox message not yet delivered (0 when none waits)',
    registers: [registry],
    async collect() {
      this.set((await readBacklog()).lagSeconds);
    },
  });
  return {
    dispatched: new Counter({
      name: 'outbox_dispatched_total',
      help: 'Outbox messages delivered to their handlers, by message type',
      labelNames: ['type'] as const,
      registers: [registry],
    }),
    failures: new Counter({
      name: 'outbox_dispatch_failures_total',
      help: 'Outbox deliveries that failed and were put back for a later try, by message type',
      labelNames: ['type'] as const,
      registers: [registry],
    }),
    batchDuration: new Histogram({
      name: 'outbox_batch_duration_seconds',
      help: 'One relay batch: claim, deliver and mark',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
  };
}

/** Wraps a relay's dispatch so that each delivery is counted by type and outcome. */
export function countedDispatch(metrics: OutboxMetrics, dispatch: (message: Message) => Promise<void>) {
  return async (message: Message): Promise<void> => {
    try {
      await dispatch(message);
      metrics.dispatched.inc({ type: message.type });
    } catch (error) {
      metrics.failures.inc({ type: message.type });
      throw error;
    }
  };
}
