/**
 * The outbox relay process: moves committed events from the outbox to the bus.
 * `npm run relay` (needs DATABASE_URL); `npm run dev` runs it in-process.
 */
import { loadConfig, type Config } from '../platform/config/config.ts';
import { GrpcWorkflowGateway } from '../platform/temporal/grpc-workflow-gateway.ts';
import type { WorkflowGateway } from '../platform/temporal/workflow-gateway.ts';
import { OutboxRelay } from '../platform/db/outbox-relay.ts';
import { createPools, type Pools } from '../platform/db/pools.ts';
import { createLogger, type Logger } from '../platform/log.ts';
import { createMetricsRegistry } from '../platform/observability/metrics-registry.ts';
import { startMetricsServer } from '../platform/observability/metrics-server.ts';
import { countedDispatch, createOutboxMetrics, type OutboxMetrics } from '../platform/observability/outbox-metrics.ts';
import { registerPoolMetrics } from '../platform/observability/pool-metrics.ts';
import { startTracing } from '../platform/observability/tracing.ts';
import { pickUpPendingFulfilments } from '../fulfilment/pickup.ts';
import { createBus } from './bus.ts';
import { onShutdown } from './shutdown.ts';
import { runMain } from './run-main.ts';

export async function startRelay(deps: {
  pools: Pools;
  logger: Logger;
  workflows: WorkflowGateway;
  config: Config;
  metrics?: OutboxMetrics;
}): Promise<OutboxRelay> {
  const bus = createBus(deps);
  const dispatch = (message: Parameters<typeof bus.dispatch>[0]) => bus.dispatch(message);
  const { metrics } = deps;
  const relay = new OutboxRelay({
    pool: deps.pools.write,
    logger: deps.logger,
    dispatch: metrics ? countedDispatch(metrics, dispatch) : dispatch,
    ...(metrics ? { observeBatch: (_claimed: number, seconds: number) => metrics.batchDuration.observe(seconds) } : {}),
  });
  await relay.start();
  const pickedUp = await pickUpPendingFulfilments(deps.pools.write, deps.workflows, deps.config.TEMPORAL_TASK_QUEUE);
  if (pickedUp > 0) deps.logger.info({ pickedUp }, 'started fulfilment sagas for hand-overs left before they existed');
  return relay;
}

/** The relay's `GET /metrics` on RELAY_METRICS_PORT: the outbox series, the pools, the process. */
export async function startRelayMetrics(port: number, pools: Pools) {
  const registry = createMetricsRegistry({ processMetrics: true });
  registerPoolMetrics(registry, pools);
  const metrics = createOutboxMetrics(registry, pools.write);
  return { metrics, server: await startMetricsServer({ port, registry }) };
}

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger('relay', config.LOG_LEVEL);
  if (!config.DATABASE_URL || !config.TEMPORAL_ADDRESS) {
    throw new Error('the relay alone needs DATABASE_URL and TEMPORAL_ADDRESS; `npm run dev` starts everything with embedded defaults');
  }
  const tracing = await startTracing({ serviceName: config.OTEL_SERVICE_NAME ?? 'relay', endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
  const pools = createPools(config.DATABASE_URL, { applicationName: 'relay' });
  const { metrics, server } = await startRelayMetrics(config.RELAY_METRICS_PORT, pools);
  const workflows = await GrpcWorkflowGateway.connect(config.TEMPORAL_ADDRESS, config.TEMPORAL_NAMESPACE);
  const relay = await startRelay({ pools, logger, workflows, config, metrics });
  logger.info({ metrics: server.url }, 'outbox relay running');
  onShutdown(async () => {
    await relay.stop();
    await server.close();
    await workflows.close();
    await pools.end();
    await tracing.shutdown();
  });
}

runMain(import.meta.url, main);
