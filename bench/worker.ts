/**
 * The bench worker: the production worker's activities (createActivities from worker.ts)
 * plus the bench activities, and a workflow bundle of the production workflows plus the
 * baseline workflow (bench/workflows/index.ts). Bench code stays out of the production
 * worker and bundle.
 */
import { fileURLToPath } from 'node:url';
import { Worker } from '@temporalio/worker';
import { withActivityBoundary } from '../activities/activity-boundary.ts';
import { HttpLightningNode } from '../src/bitcoin/lightning-node.ts';
import { HttpCarrier } from '../src/fulfilment/carrier.ts';
import { systemClock } from '../src/kernel/clock.ts';
import { HttpPaymentProvider } from '../src/payments/payment-provider.ts';
import { createActivities, withWorkflows, workerObservability, type WorkerDeps } from '../worker.ts';
import { createBenchActivities } from './activities.ts';

export const BENCH_WORKFLOWS_PATH = fileURLToPath(new URL('./workflows/index.ts', import.meta.url));

/** Like `createWorker` of worker.ts, with the bench activities and workflows added. */
export async function createBenchWorker(deps: Omit<WorkerDeps, 'workflowBundle'>): Promise<Worker> {
  const { config } = deps;
  return Worker.create({
    connection: deps.connection,
    namespace: deps.namespace,
    taskQueue: deps.taskQueue,
    activities: {
      ...createActivities({
        pools: deps.pools,
        clock: deps.clock ?? systemClock,
        config,
        paymentProvider: deps.paymentProvider ?? new HttpPaymentProvider(config.PAYMENTS_PROVIDER_URL),
        carrier: deps.carrier ?? new HttpCarrier(config.CARRIER_URL),
        lightningNode: deps.lightningNode ?? new HttpLightningNode(config.LIGHTNING_NODE_URL),
      }),
      ...withActivityBoundary(createBenchActivities()),
    },
    // The production worker's metrics and trace propagation: the benchmarks pay for them too.
    ...withWorkflows(BENCH_WORKFLOWS_PATH, workerObservability(deps)),
  });
}
