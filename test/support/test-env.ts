import { NativeConnection, type Worker } from '@temporalio/worker';
import pg from 'pg';
import { inject } from 'vitest';
import { createPools, type Pools } from '../../src/platform/db/pools.ts';
import { configureWorkerRuntime, createWorker, type WorkerDeps } from '../../worker.ts';
import type { Clock } from '../../src/kernel/clock.ts';
import { loadConfig, type Config } from '../../src/platform/config/config.ts';

/** A fresh database for one test file, cloned from the migrated template. */
export async function createTestDatabase(): Promise<{ url: string; pools: Pools; drop(): Promise<void> }> {
  const name = `test_${crypto.randomUUID().replaceAll('-', '')}`;
  const admin = new pg.Client({ connectionString: inject('postgresAdminUrl') });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${inject('templateDatabase')}"`);
  await admin.end();
  const url = inject('postgresAdminUrl').replace(/\/postgres$/, `/${name}`);
  const pools = createPools(url, { max: 20, applicationName: 'test' });
  return {
    url,
    pools,
    async drop() {
      await pools.end();
      const cleanup = new pg.Client({ connectionString: inject('postgresAdminUrl') });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await cleanup.end();
    },
  };
}

export function temporalTarget() {
  return {
    address: inject('temporalAddress'),
    httpAddress: inject('temporalHttpAddress'),
    namespace: inject('temporalNamespace'),
  };
}

export const uniqueTaskQueue = (label: string) => `test-${label}-${crypto.randomUUID().slice(0, 8)}`;

let runtimeInstalled = false;

/** The SDK runtime for this test process: warnings only, no signal handling of its own. Once per process. */
export function ensureTestRuntime(): void {
  if (runtimeInstalled) return;
  configureWorkerRuntime({ handleSignals: false });
  runtimeInstalled = true;
}

/** Installs the SDK runtime the way a test wants it (e.g. with the SDK's metrics on), before any worker starts. */
export async function installTestRuntime<T>(install: () => Promise<T>): Promise<T> {
  if (runtimeInstalled) throw new Error('the SDK runtime is already installed in this test process');
  runtimeInstalled = true;
  return install();
}

/** A real worker on its own task queue, running until `stop`. */
export async function startTestWorker(
  pools: Pools,
  taskQueue: string,
  options: { clock?: Clock; config?: Config } & Pick<WorkerDeps, 'metrics'> = {},
): Promise<{ worker: Worker; stop(): Promise<void> }> {
  ensureTestRuntime();
  const { address, namespace } = temporalTarget();
  const connection = await NativeConnection.connect({ address });
  const worker = await createWorker({
    connection,
    namespace,
    taskQueue,
    pools,
    clock: options.clock,
    config: options.config ?? loadConfig({ TEMPORAL_TASK_QUEUE: taskQueue }),
    workflowBundle: { codePath: inject('workflowBundlePath') },
    metrics: options.metrics,
  });
  const running = worker.run();
  return {
    worker,
    async stop() {
      worker.shutdown();
      await running;
      await connection.close();
    },
  };
}
