import { fileURLToPath } from 'node:url';
import type { Config } from '../../src/platform/config/config.ts';
import { startSupervised } from '../../src/platform/launch/supervised-process.ts';
import { temporalTarget } from './test-env.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface WorkerProcess {
  /** Resolves once the worker polls its task queue. */
  ready: Promise<void>;
  /** SIGKILL: the process dies at once, mid-whatever, as in a crash. */
  crash(): Promise<void>;
  /** SIGTERM and wait: an orderly stop. */
  stop(): Promise<void>;
  output(): string;
}

/**
 * The worker as its own OS process (`node --import tsx worker.ts`), as it runs in
 * production, so a test can SIGKILL it mid-saga and start another. It gets the same
 * configuration as the in-process platform (task queue, provider URLs, timeouts).
 * It runs under the launchers' supervisor, so a test run killed outright does not
 * leave workers polling behind it.
 */
export function startWorkerProcess(config: Config, databaseUrl: string): WorkerProcess {
  const lines: string[] = [];
  const started = startSupervised({
    name: 'test worker',
    command: process.execPath,
    args: ['--import', 'tsx', 'worker.ts'],
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporalTarget().address,
      TEMPORAL_NAMESPACE: temporalTarget().namespace,
      TEMPORAL_TASK_QUEUE: config.TEMPORAL_TASK_QUEUE,
      PAYMENTS_PROVIDER_URL: config.PAYMENTS_PROVIDER_URL,
      CARRIER_URL: config.CARRIER_URL,
      LIGHTNING_NODE_URL: config.LIGHTNING_NODE_URL,
      PAYMENT_WINDOW: `${config.PAYMENT_WINDOW}ms`,
      SHIPPING_DEADLINE: `${config.SHIPPING_DEADLINE}ms`,
      DELIVERY_DEADLINE: `${config.DELIVERY_DEADLINE}ms`,
      WITHDRAWAL_TIMEOUT: `${config.WITHDRAWAL_TIMEOUT}ms`,
      LOG_LEVEL: 'info',
    },
    ports: [],
    output: 'pipe',
  });
  const ready = started.then(
    (worker) =>
      new Promise<void>((resolve, reject) => {
        const onData = (chunk: Buffer) => {
          lines.push(chunk.toString());
          if (lines.join('').includes('worker polling')) resolve();
        };
        worker.stdout?.on('data', onData);
        worker.stderr?.on('data', onData);
        void worker.exited.then(() => reject(new Error(`worker exited before polling:\n${lines.join('')}`)));
      }),
  );
  return {
    ready,
    crash: async () => (await started).crash(),
    stop: async () => (await started).stop(),
    output: () => lines.join(''),
  };
}
