import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import type { Config } from '../../src/platform/config/config.ts';
import { startSupervised } from '../../src/platform/launch/supervised-process.ts';
import { temporalTarget } from './test-env.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * How long a worker process may take to poll. On a quiet machine it takes 3–5 s; with
 * the chaos run beside it on two cores, 8–22 s as measured (it took
 * 30–37 s while each start still bundled the workflows itself). Past this the start is
 * stuck, and `ready` says so with the worker's output instead of a bare test timeout.
 */
export const WORKER_READY_TIMEOUT_MS = 40_000;

export interface WorkerProcess {
  /** Resolves once the worker polls its task queue; rejects (and kills it) if it exits first or takes longer than `readyTimeoutMs`. */
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
export function startWorkerProcess(
  config: Config,
  databaseUrl: string,
  { readyTimeoutMs = WORKER_READY_TIMEOUT_MS }: { readyTimeoutMs?: number } = {},
): WorkerProcess {
  const lines: string[] = [];
  const startedAt = Date.now();
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
      // The bundle the global setup built once. Without it every start webpacked the
      // workflows again: about half of a start's CPU, which a loaded CI machine turned
      // into tens of seconds per worker.
      WORKFLOW_BUNDLE: inject('workflowBundlePath'),
      PAYMENTS_PROVIDER_URL: config.PAYMENTS_PROVIDER_URL,
      CARRIER_URL: config.CARRIER_URL,
      LIGHTNING_NODE_URL: config.LIGHTNING_NODE_URL,
      PAYMENT_WINDOW: `${config.PAYMENT_WINDOW}ms`,
      SHIPPING_DEADLINE: `${config.SHIPPING_DEADLINE}ms`,
      DELIVERY_DEADLINE: `${config.DELIVERY_DEADLINE}ms`,
      WITHDRAWAL_TIMEOUT: `${config.WITHDRAWAL_TIMEOUT}ms`,
      SELLER_RESPONSE_WINDOW: `${config.SELLER_RESPONSE_WINDOW}ms`,
      CONFIRMATION_WINDOW: `${config.CONFIRMATION_WINDOW}ms`,
      CONFIRMATION_REMINDER: `${config.CONFIRMATION_REMINDER}ms`,
      VOUCHER_VALIDITY: `${config.VOUCHER_VALIDITY}ms`,
      VOUCHER_CANCEL_WINDOW: `${config.VOUCHER_CANCEL_WINDOW}ms`,
      SETTLEMENT_DELAY: `${config.SETTLEMENT_DELAY}ms`,
      PLATFORM_FEE: `${Math.floor(config.PLATFORM_FEE / 100)}.${String(config.PLATFORM_FEE % 100).padStart(2, '0')}%`,
      LOG_LEVEL: 'info',
      // Several worker processes run side by side in the tests: any free port each.
      WORKER_METRICS_PORT: '0',
    },
    ports: [],
    output: 'pipe',
  });
  const ready = started.then(
    (worker) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(new Error(`worker not polling after ${Date.now() - startedAt} ms; its output:\n${lines.join('')}`));
          void worker.crash();
        }, readyTimeoutMs);
        const onData = (chunk: Buffer) => {
          lines.push(chunk.toString());
          if (lines.join('').includes('worker polling')) {
            clearTimeout(timer);
            resolve();
          }
        };
        worker.stdout?.on('data', onData);
        worker.stderr?.on('data', onData);
        void worker.exited.then(() => {
          clearTimeout(timer);
          reject(new Error(`worker exited before polling:\n${lines.join('')}`));
        });
      }),
  );
  return {
    ready,
    crash: async () => (await started).crash(),
    stop: async () => (await started).stop(),
    output: () => lines.join(''),
  };
}
