/**
 * Composition root of the Temporal worker: pools, adapters, activities, workflow bundle.
 * Run it alone with `npm run worker` (needs DATABASE_URL and TEMPORAL_ADDRESS), or let
 * `npm run dev` and the tests create it in-process through `createWorker`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getHeapStatistics } from 'node:v8';
import type { Context as ActivityContext } from '@temporalio/activity';
import { OpenTelemetryActivityInboundInterceptor, OpenTelemetryActivityOutboundInterceptor } from '@temporalio/interceptors-opentelemetry';
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
import { freePort } from './src/platform/launch/free-port.ts';
import { createMetricsRegistry } from './src/platform/observability/metrics-registry.ts';
import { scrapeFrom, startMetricsServer } from './src/platform/observability/metrics-server.ts';
import { registerPoolMetrics } from './src/platform/observability/pool-metrics.ts';
import { startTracing } from './src/platform/observability/tracing.ts';
import { createSagaMetrics, sagaMetricsSinks, stepMetricsInterceptor, type SagaMetrics } from './src/platform/temporal/saga-metrics.ts';
import { WORKFLOW_INTERCEPTOR_MODULES } from './src/platform/temporal/workflow-bundle.ts';
import { workflowCacheProblem } from './src/platform/temporal/workflow-cache-budget.ts';
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
  /** The saga metrics to count into; tests leave it out and get a registry of the worker's own. */
  metrics?: SagaMetrics;
}

/**
 * The observability every worker runs with (the bench worker too, so that benchmarks
 * pay for it): saga and step metrics, and a span for each activity, continuing the trace
 * that the saga's start carried in (workflows/interceptors.ts forwards it).
 */
export function workerObservability(deps: { metrics?: SagaMetrics }) {
  const metrics = deps.metrics ?? createSagaMetrics(createMetricsRegistry({ processMetrics: false }));
  return {
    interceptors: {
      activity: [
        stepMetricsInterceptor(metrics),
        (ctx: ActivityContext) => ({
          inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
          outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
        }),
      ],
    },
    sinks: sagaMetricsSinks(metrics),
  } satisfies Pick<WorkerOptions, 'interceptors' | 'sinks'>;
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
export function configureWorkerRuntime(options: { logLevel?: LogLevel; handleSignals: boolean; sdkMetricsAddress?: string }): void {
  Runtime.install({
    logger: new DefaultLogger(options.logLevel ?? 'WARN'),
    shutdownSignals: options.handleSignals ? ['SIGINT', 'SIGTERM', 'SIGQUIT', 'SIGUSR2'] : [],
    ...(options.sdkMetricsAddress
      ? { telemetryOptions: { metrics: { prometheus: { bindAddress: options.sdkMetricsAddress, useSecondsForDurations: true } } } }
      : {}),
  });
}

/**
 * The worker's `GET /metrics` on WORKER_METRICS_PORT: the saga series, the pools, the
 * process, and the Temporal SDK's own worker metrics (task slots, poll and schedule
 * latencies, sticky cache), which the SDK's core serves on a loopback port of its own
 * that this endpoint reads and serves along. Installs the SDK runtime: call it instead
 * of `configureWorkerRuntime`, once per process, before the first worker.
 */
export async function startWorkerMetrics(options: { port: number; pools?: Pools; handleSignals: boolean }) {
  const sdkMetricsPort = await freePort();
  configureWorkerRuntime({ handleSignals: options.handleSignals, sdkMetricsAddress: `127.0.0.1:${sdkMetricsPort}` });
  const registry = createMetricsRegistry({ processMetrics: true });
  if (options.pools) registerPoolMetrics(registry, options.pools);
  const metrics = createSagaMetrics(registry);
  const server = await startMetricsServer({
    port: options.port,
    registry,
    alsoServe: scrapeFrom(`http://127.0.0.1:${sdkMetricsPort}/metrics`),
  });
  return { registry, metrics, server };
}

export async function createWorker(deps: WorkerDeps): Promise<Worker> {
  const clock = deps.clock ?? systemClock;
  const cacheProblem = workflowCacheProblem(deps.config.WORKER_MAX_CACHED_WORKFLOWS, getHeapStatistics().heap_size_limit);
  if (cacheProblem) throw new Error(cacheProblem);
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
    maxCachedWorkflows: deps.config.WORKER_MAX_CACHED_WORKFLOWS,
    ...withWorkflows(deps.workflowBundle ?? WORKFLOWS_PATH, workerObservability(deps)),
  });
}

/**
 * Bundles the workflows in a child process, into a temporary file, and returns its path:
 * webpack's memory then leaves with the child instead of staying in the worker's heap.
 */
async function bundleInChildProcess(): Promise<string> {
  const file = join(mkdtempSync(join(tmpdir(), 'workflow-bundle-')), 'workflows.js');
  const script = fileURLToPath(new URL('./src/main/bundle-workflows.ts', import.meta.url));
  await new Promise<void>((resolve, reject) =>
    execFile(process.execPath, ['--import', 'tsx', script, file], (error, _stdout, stderr) =>
      error ? reject(new Error(`bundling the workflows failed: ${stderr || error.message}`)) : resolve(),
    ),
  );
  return file;
}

/**
 * The workflow code and the observability, put together: a prebuilt bundle already holds
 * the workflow interceptors (writeWorkflowBundle), a path is bundled at start with them.
 */
export function withWorkflows(
  workflows: string | NonNullable<WorkerOptions['workflowBundle']>,
  observability: ReturnType<typeof workerObservability>,
): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath' | 'interceptors' | 'sinks'> {
  if (typeof workflows !== 'string') return { workflowBundle: workflows, ...observability };
  return {
    workflowsPath: workflows,
    sinks: observability.sinks,
    interceptors: { ...observability.interceptors, workflowModules: WORKFLOW_INTERCEPTOR_MODULES },
  };
}

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger('worker', config.LOG_LEVEL);
  if (!config.DATABASE_URL || !config.TEMPORAL_ADDRESS) {
    throw new Error('the worker alone needs DATABASE_URL and TEMPORAL_ADDRESS; `npm run dev` starts everything with embedded defaults');
  }
  const tracing = await startTracing({ serviceName: config.OTEL_SERVICE_NAME ?? 'worker', endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
  const pools = createPools(config.DATABASE_URL, { applicationName: 'worker' });
  const { metrics, server } = await startWorkerMetrics({ port: config.WORKER_METRICS_PORT, pools, handleSignals: true });
  let bundled: string | undefined;
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const worker = await createWorker({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    pools,
    config,
    metrics,
    workflowBundle: { codePath: config.WORKFLOW_BUNDLE ?? (bundled = await bundleInChildProcess()) },
  });
  // The worker has read the bundle it made; the file is of no further use.
  if (bundled) rmSync(dirname(bundled), { recursive: true, force: true });
  logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, temporal: config.TEMPORAL_ADDRESS, metrics: server.url }, 'worker polling');
  await worker.run(); // returns after SIGINT/SIGTERM, which the SDK handles by draining
  await server.close();
  await connection.close();
  await pools.end();
  await tracing.shutdown();
}

runMain(import.meta.url, main);
