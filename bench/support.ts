import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { migrate } from '../src/platform/db/migrate.ts';
import { startEmbeddedPostgresOnFreePort } from '../src/platform/launch/embedded-postgres.ts';

/** A throw-away embedded Postgres, migrated, for one benchmark run. */
export async function benchPostgres(): Promise<{ url: string; stop(): Promise<void> }> {
  const root = mkdtempSync(join(tmpdir(), 'platform-bench-'));
  const postgres = await startEmbeddedPostgresOnFreePort({ dataDir: join(root, 'pg'), persistent: false });
  const url = await postgres.createDatabase('bench');
  const pool = new pg.Pool({ connectionString: url });
  await migrate(pool);
  await pool.end();
  return {
    url,
    async stop() {
      await postgres.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/**
 * Runs `rounds` alternating measurements of each contender and returns each one's
 * median rate, so a burst of noise on the machine hits both sides alike.
 */
export async function compare(
  contenders: Record<'ours' | 'baseline', () => Promise<number>>,
  rounds = 5,
): Promise<{ ours: number; baseline: number; ratio: number }> {
  const rates: Record<'ours' | 'baseline', number[]> = { ours: [], baseline: [] };
  for (let round = 0; round < rounds; round++) {
    // Alternate who goes first, so neither always runs on a warmer cache.
    const order: ('ours' | 'baseline')[] = round % 2 === 0 ? ['baseline', 'ours'] : ['ours', 'baseline'];
    for (const side of order) rates[side].push(await contenders[side]());
  }
  const ours = median(rates.ours);
  const baseline = median(rates.baseline);
  return { ours, baseline, ratio: ours / baseline };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Runs `work` `total` times in all, by `concurrency` loops side by side; each call gets
 * its loop's number, so a loop can own a resource. Returns completions per second.
 */
export async function throughput(total: number, concurrency: number, work: (loop: number) => Promise<void>): Promise<number> {
  let claimed = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, loop) => {
      while (claimed++ < total) await work(loop);
    }),
  );
  return total / ((performance.now() - started) / 1000);
}

/** A throw-away Temporal dev server, the bench worker (bench/worker.ts) on it over the given database, and a client. */
export async function benchTemporal(databaseUrl: string) {
  const { NativeConnection } = await import('@temporalio/worker');
  const { configureWorkerRuntime } = await import('../worker.ts');
  const { createBenchWorker } = await import('./worker.ts');
  const { startTemporalDevServerOnFreePorts } = await import('../src/platform/launch/temporal-dev-server.ts');
  const { GrpcWorkflowGateway } = await import('../src/platform/temporal/grpc-workflow-gateway.ts');
  const { createPools } = await import('../src/platform/db/pools.ts');
  const { loadConfig } = await import('../src/platform/config/config.ts');
  const root = mkdtempSync(join(tmpdir(), 'platform-bench-temporal-'));
  const temporal = await startTemporalDevServerOnFreePorts({
    logFile: join(root, 'temporal.log'),
    progress: (line) => console.log(line),
  });
  const taskQueue = 'bench';
  const config = loadConfig({ TEMPORAL_TASK_QUEUE: taskQueue, LOG_LEVEL: 'warn' });
  const pools = createPools(databaseUrl, { max: 20, applicationName: 'bench' });
  configureWorkerRuntime({ handleSignals: false });
  const connection = await NativeConnection.connect({ address: temporal.address });
  const worker = await createBenchWorker({ connection, namespace: temporal.namespace, taskQueue, pools, config });
  const running = worker.run();
  const gateway = await GrpcWorkflowGateway.connect(temporal.address, temporal.namespace);
  return {
    client: gateway.client,
    pools,
    taskQueue,
    async stop() {
      worker.shutdown();
      await running;
      await connection.close();
      await gateway.close();
      await pools.end();
      await temporal.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
