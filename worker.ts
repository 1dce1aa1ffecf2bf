/**
 * Composition root of the Temporal worker: pools, adapters, activities, workflow bundle.
 * Run it alone with `npm run worker` (needs DATABASE_URL and TEMPORAL_ADDRESS), or let
 * `npm run dev` and the tests create it in-process through `createWorker`.
 */
import { fileURLToPath } from 'node:url';
import { DefaultLogger, NativeConnection, Runtime, Worker, type LogLevel, type WorkerOptions } from '@temporalio/worker';
import { withActivityBoundary } from './activities/activity-boundary.ts';
import { createAuctionActivities } from './activities/auctions.ts';
import { createBitcoinActivities } from './activities/bitcoin.ts';
import { createCrowdfundingActivities } from './activities/crowdfunding.ts';
import { createDiagnosticsActivities } from './activities/diagnostics.ts';
import { createPaymentActivities } from './activities/payments.ts';
import { createPayoutActivities } from './activities/payouts.ts';
import { createSettingsActivities } from './activities/settings.ts';
import { createFulfilmentActivities } from './activities/fulfilment.ts';
import { HttpLightningNode, type LightningNode } from './src/bitcoin/lightning-node.ts';
import { HttpPaymentProvider, type PaymentProvider } from './src/payments/payment-provider.ts';
import { HttpCarrier, type Carrier } from './src/fulfilment/carrier.ts';
import { systemClock, type Clock } from './src/kernel/clock.ts';
import { loadConfig, type Config } from './src/platform/config/config.ts';
import { createPools, type Pools } from './src/platform/db/pools.ts';
import { createLogger } from './src/platform/log.ts';
import { runMain } from './src/main/run-main.ts';

export const WORKFLOWS_PATH = fileURLToPath(new URL('./workflows/index.ts', import.meta.url));

export interface WorkerDeps {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  pools: Pools;
  config: Config;
  clock?: Clock;
  /** Adapters to the outside world; by default over HTTP to the configured URLs. */
  paymentProvider?: PaymentProvider;
  carrier?: Carrier;
  lightningNode?: LightningNode;
  /** A prebuilt bundle (tests build one per run); otherwise the workflows are bundled at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

export function createActivities(deps: {
  pools: Pools;
  clock: Clock;
  config: Config;
  paymentProvider: PaymentProvider;
  carrier: Carrier;
  lightningNode: LightningNode;
}) {
  const pool = deps.pools.write;
  return withActivityBoundary({
    ...createDiagnosticsActivities(deps),
    ...createSettingsActivities(deps.config),
    ...createAuctionActivities({ pool, clock: deps.clock }),
    ...createPaymentActivities({ pool, provider: deps.paymentProvider }),
    ...createFulfilmentActivities({ pool, carrier: deps.carrier, provider: deps.paymentProvider }),
    ...createPayoutActivities({ pool, clock: deps.clock, feeBasisPoints: deps.config.PLATFORM_FEE }),
    ...createBitcoinActivities({ pool, clock: deps.clock, node: deps.lightningNode }),
    ...createCrowdfundingActivities({ pool, clock: deps.clock }),
  });
}

/**
 * Sets the SDK runtime's log level (its INFO lines are noise next to ours) and whether
 * it drains workers on SIGINT/SIGTERM by itself. Processes that own an ordered shutdown
 * (the dev launcher) turn that off. Call once per process, before the first worker.
 */
export function configureWorkerRuntime(options: { logLevel?: LogLevel; handleSignals: boolean }): void {
  Runtime.install({
    logger: new DefaultLogger(options.logLevel ?? 'WARN'),
    shutdownSignals: options.handleSignals ? ['SIGINT', 'SIGTERM', 'SIGQUIT', 'SIGUSR2'] : [],
  });
}

export async function createWorker(deps: WorkerDeps): Promise<Worker> {
  const clock = deps.clock ?? systemClock;
  return Worker.create({
    connection: deps.connection,
    namespace: deps.namespace,
    taskQueue: deps.taskQueue,
    activities: createActivities({
      pools: deps.pools,
      clock,
      config: deps.config,
      paymentProvider: deps.paymentProvider ?? new HttpPaymentProvider(deps.config.PAYMENTS_PROVIDER_URL),
      carrier: deps.carrier ?? new HttpCarrier(deps.config.CARRIER_URL),
      lightningNode: deps.lightningNode ?? new HttpLightningNode(deps.config.LIGHTNING_NODE_URL),
    }),
    ...(deps.workflowBundle ? { workflowBundle: deps.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
  });
}

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger('worker', config.LOG_LEVEL);
  if (!config.DATABASE_URL || !config.TEMPORAL_ADDRESS) {
    throw new Error('the worker alone needs DATABASE_URL and TEMPORAL_ADDRESS; `npm run dev` starts everything with embedded defaults');
  }
  configureWorkerRuntime({ handleSignals: true });
  const pools = createPools(config.DATABASE_URL, { applicationName: 'worker' });
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const worker = await createWorker({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    pools,
    config,
    ...(config.WORKFLOW_BUNDLE ? { workflowBundle: { codePath: config.WORKFLOW_BUNDLE } } : {}),
  });
  logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, temporal: config.TEMPORAL_ADDRESS }, 'worker polling');
  await worker.run(); // returns after SIGINT/SIGTERM, which the SDK handles by draining
  await connection.close();
  await pools.end();
}

runMain(import.meta.url, main);
