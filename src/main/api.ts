/**
 * The API on Node: `npm run api` (needs DATABASE_URL and TEMPORAL_ADDRESS);
 * `npm run dev` starts it with everything else. Temporal is reached over gRPC.
 */
import { serve, type ServerType } from '@hono/node-server';
import { systemClock } from '../kernel/clock.ts';
import { devSecretsInUse, loadConfig, type Config } from '../platform/config/config.ts';
import { createPools, type Pools } from '../platform/db/pools.ts';
import { createApp } from '../platform/http/app.ts';
import { createLogger, type Logger } from '../platform/log.ts';
import { createApiMetrics, type ApiMetrics } from '../platform/observability/http-metrics.ts';
import { createMetricsRegistry } from '../platform/observability/metrics-registry.ts';
import { startTracing } from '../platform/observability/tracing.ts';
import type { WorkflowGateway } from '../platform/temporal/workflow-gateway.ts';
import { GrpcWorkflowGateway } from '../platform/temporal/grpc-workflow-gateway.ts';
import { ROUTES } from './routes.ts';
import { onShutdown } from './shutdown.ts';
import { runMain } from './run-main.ts';

export interface RunningApi {
  url: string;
  close(): Promise<void>;
}

export function startApi(deps: {
  config: Config;
  pools: Pools;
  workflows: WorkflowGateway;
  logger: Logger;
  metrics?: ApiMetrics;
}): Promise<RunningApi> {
  const app = createApp({ ...deps, clock: systemClock }, ROUTES);
  return new Promise((resolve) => {
    const server: ServerType = serve({ fetch: app.fetch, port: deps.config.PORT, hostname: '0.0.0.0' }, (info) => {
      resolve({
        url: `http://localhost:${info.port}`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger('api', config.LOG_LEVEL);
  if (!config.DATABASE_URL || !config.TEMPORAL_ADDRESS) {
    throw new Error('the API alone needs DATABASE_URL and TEMPORAL_ADDRESS; `npm run dev` starts everything with embedded defaults');
  }
  for (const name of devSecretsInUse(config)) logger.warn(`${name} is the development default: set it in production`);
  const tracing = await startTracing({ serviceName: config.OTEL_SERVICE_NAME ?? 'api', endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
  const pools = createPools(config.DATABASE_URL, { applicationName: 'api' });
  const workflows = await GrpcWorkflowGateway.connect(config.TEMPORAL_ADDRESS, config.TEMPORAL_NAMESPACE);
  const metrics = createApiMetrics(createMetricsRegistry({ processMetrics: true }));
  const api = await startApi({ config, pools, workflows, logger, metrics });
  logger.info(`API listening on ${api.url} (docs: ${api.url}/docs, metrics: ${api.url}/metrics)`);
  onShutdown(async () => {
    await api.close();
    await workflows.close();
    await pools.end();
    await tracing.shutdown();
  });
}

runMain(import.meta.url, main);
