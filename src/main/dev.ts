/**
 * `npm run dev`: the whole stack on one machine with embedded defaults, step by step:
 * PostgreSQL (embedded, data kept in .data/postgres), the Temporal dev server with its
 * Web UI (state kept in .data/temporal.db), migrations, the worker, the outbox relay
 * and the API. DATABASE_URL / TEMPORAL_ADDRESS switch to external services.
 * Ctrl-C stops everything, in reverse order.
 *
 * However this process dies (SIGKILL included), its two servers follow within about
 * two seconds: each runs under a supervisor that watches a pipe from us. A start first
 * stops what a crashed earlier run left (recorded in .data/run), then refuses to start
 * when a port it needs is held by anything else, naming the holder.
 */
import { NativeConnection } from '@temporalio/worker';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { devSecretsInUse, loadConfig } from '../platform/config/config.ts';
import { migrate } from '../platform/db/migrate.ts';
import { createPools } from '../platform/db/pools.ts';
import { ensureDatabase } from '../platform/launch/ensure-database.ts';
import { startEmbeddedPostgres } from '../platform/launch/embedded-postgres.ts';
import { ensurePortsFree, PortTakenError, type WantedPort } from '../platform/launch/ports.ts';
import { liveOwnerIn, reapOrphans } from '../platform/launch/run-records.ts';
import { startTemporalDevServer } from '../platform/launch/temporal-dev-server.ts';
import { createLogger } from '../platform/log.ts';
import { GrpcWorkflowGateway } from '../platform/temporal/grpc-workflow-gateway.ts';
import { createWorker, startWorkerMetrics } from '../../worker.ts';
import { createApiMetrics } from '../platform/observability/http-metrics.ts';
import { createMetricsRegistry } from '../platform/observability/metrics-registry.ts';
import { startTracing } from '../platform/observability/tracing.ts';
import { startApi } from './api.ts';
import { startSimulators } from '../simulators/start-all.ts';
import { startRelay, startRelayMetrics } from './relay.ts';
import { onShutdown } from './shutdown.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DATA = process.env.DEV_DATA_DIR ?? join(ROOT, '.data');
const RUN_DIR = join(DATA, 'run');
const DEV_POSTGRES_PORT = Number(process.env.DEV_POSTGRES_PORT ?? 54329);
const DEV_TEMPORAL_PORT = Number(process.env.DEV_TEMPORAL_PORT ?? 7233);
const DEV_TEMPORAL_HTTP_PORT = Number(process.env.DEV_TEMPORAL_HTTP_PORT ?? 7243);
const DEV_TEMPORAL_UI_PORT = Number(process.env.DEV_TEMPORAL_UI_PORT ?? 8233);
const DEV_DATABASE = 'marketplace';

// Test deposits are a development convenience: on here unless the environment says otherwise.
const config = loadConfig({ TEST_DEPOSITS: 'on', ...process.env });
const logger = createLogger('dev', config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL);
const stops: { name: string; stop: () => Promise<unknown> }[] = [];
let step = 0;
const say = (line: string) => console.log(`[dev] ${line}`);
const begin = (what: string) => say(`${++step}. ${what}…`);

onShutdown(async () => {
  say('stopping…');
  for (const { name, stop } of stops.reverse()) {
    await stop().catch((error: Error) => say(`  ${name}: ${error.message}`));
    say(`  stopped ${name}`);
  }
});

try {
  // 0. What a crashed earlier run left, and ports held by strangers: before anything starts.
  begin(`checking for servers an earlier run left behind (${RUN_DIR}) and for taken ports`);
  const reaped = await reapOrphans(RUN_DIR, (line) => say(`   ${line}`));
  if (reaped.length === 0) say('   none left behind');
  await ensurePortsFree(portsWanted(), liveOwnerIn(RUN_DIR));

  // 1. Postgres
  let databaseUrl = config.DATABASE_URL;
  if (databaseUrl) {
    begin(`using PostgreSQL at ${redact(databaseUrl)} (DATABASE_URL)`);
  } else {
    begin(`starting embedded PostgreSQL on 127.0.0.1:${DEV_POSTGRES_PORT} (data in ${join(DATA, 'postgres')})`);
    const postgres = await startEmbeddedPostgres({
      dataDir: join(DATA, 'postgres'),
      port: DEV_POSTGRES_PORT,
      persistent: true,
      runDir: RUN_DIR,
      portSetting: 'DEV_POSTGRES_PORT',
      progress: (line) => say(`   ${line}`),
    });
    stops.push({ name: 'PostgreSQL', stop: () => postgres.stop() });
    await ensureDatabase(postgres.url, DEV_DATABASE);
    databaseUrl = postgres.databaseUrl(DEV_DATABASE);
  }

  // 2. Migrations (and tracing first, so that every process below is traced when a collector is set)
  const tracing = await startTracing({ serviceName: config.OTEL_SERVICE_NAME ?? 'dev', endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
  if (config.OTEL_EXPORTER_OTLP_ENDPOINT) say(`   traces go to ${config.OTEL_EXPORTER_OTLP_ENDPOINT} (OTLP/HTTP)`);
  stops.push({ name: 'tracing', stop: () => tracing.shutdown() });
  begin('applying migrations');
  const pools = createPools(databaseUrl, { applicationName: 'dev' });
  stops.push({ name: 'database pools', stop: () => pools.end() });
  const applied = await migrate(pools.write);
  say(`   ${applied.length > 0 ? `applied ${applied.join(', ')}` : 'schema up to date'}`);

  // 3. Temporal
  let temporalAddress = config.TEMPORAL_ADDRESS;
  let temporalHttp = config.TEMPORAL_HTTP_ADDRESS;
  let temporalUi: string | undefined;
  if (temporalAddress) {
    begin(`using Temporal at ${temporalAddress} (TEMPORAL_ADDRESS)`);
  } else {
    begin(
      `starting the Temporal dev server (gRPC ${DEV_TEMPORAL_PORT}, HTTP API ${DEV_TEMPORAL_HTTP_PORT}, Web UI ${DEV_TEMPORAL_UI_PORT}; state in ${join(DATA, 'temporal.db')})`,
    );
    const temporal = await startTemporalDevServer({
      port: DEV_TEMPORAL_PORT,
      httpPort: DEV_TEMPORAL_HTTP_PORT,
      uiPort: DEV_TEMPORAL_UI_PORT,
      dbFile: join(DATA, 'temporal.db'),
      logFile: join(DATA, 'temporal.log'),
      runDir: RUN_DIR,
      portSettings: { port: 'DEV_TEMPORAL_PORT', httpPort: 'DEV_TEMPORAL_HTTP_PORT', uiPort: 'DEV_TEMPORAL_UI_PORT' },
      progress: (line) => say(`   ${line}`),
    });
    stops.push({ name: 'Temporal dev server', stop: () => temporal.stop() });
    temporalAddress = temporal.address;
    temporalHttp = temporal.httpAddress;
    temporalUi = temporal.uiUrl;
  }

  // 4. Worker
  begin(`starting the worker on task queue "${config.TEMPORAL_TASK_QUEUE}" (bundling workflows)`);
  const workerMetrics = await startWorkerMetrics({ port: config.WORKER_METRICS_PORT, pools, handleSignals: false });
  stops.push({ name: 'worker metrics', stop: () => workerMetrics.server.close() });
  say(`   metrics on ${workerMetrics.server.url}`);
  const connection = await NativeConnection.connect({ address: temporalAddress });
  const worker = await createWorker({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    pools,
    config,
    metrics: workerMetrics.metrics,
  });
  const workerRun = worker.run();
  stops.push({
    name: 'worker',
    stop: async () => {
      worker.shutdown();
      await workerRun;
      await connection.close();
    },
  });

  // 5. Relay and API share one Temporal client.
  const workflows = await GrpcWorkflowGateway.connect(temporalAddress, config.TEMPORAL_NAMESPACE);
  stops.push({ name: 'Temporal client', stop: () => workflows.close() });
  begin('starting the outbox relay');
  const relayMetrics = await startRelayMetrics(config.RELAY_METRICS_PORT, pools);
  stops.push({ name: 'relay metrics', stop: () => relayMetrics.server.close() });
  say(`   metrics on ${relayMetrics.server.url}`);
  const relay = await startRelay({ pools, logger, workflows, config, metrics: relayMetrics.metrics });
  stops.push({ name: 'outbox relay', stop: () => relay.stop() });

  // 6. API
  begin(`starting the API on port ${config.PORT}`);
  const api = await startApi({
    config,
    pools,
    workflows,
    logger,
    metrics: createApiMetrics(createMetricsRegistry({ processMetrics: true })),
  });
  stops.push({ name: 'API', stop: () => api.close() });

  // 7. Simulators of the outside world, sending their webhooks to the API.
  begin(
    `starting the simulators (payment provider ${config.PAYMENTS_SIM_PORT}, carrier ${config.CARRIER_SIM_PORT}, lightning node ${config.LIGHTNING_SIM_PORT})`,
  );
  const simulators = await startSimulators({
    apiBaseUrl: api.url,
    ports: { payments: config.PAYMENTS_SIM_PORT, carrier: config.CARRIER_SIM_PORT, lightning: config.LIGHTNING_SIM_PORT },
    secrets: {
      payments: config.PAYMENTS_WEBHOOK_SECRET,
      carrier: config.CARRIER_WEBHOOK_SECRET,
      lightning: config.LIGHTNING_WEBHOOK_SECRET,
    },
  });
  stops.push({ name: 'simulators', stop: () => simulators.close() });

  for (const name of devSecretsInUse(config)) say(`note: ${name} is the development default (fine here, never in production)`);
  console.log(`
  The platform is running.
    API          ${api.url}
    API docs     ${api.url}/docs   (OpenAPI: ${api.url}/openapi.json)
    Health       ${api.url}/health
    Metrics      ${api.url}/metrics, worker ${workerMetrics.server.url}, relay ${relayMetrics.server.url}
    Temporal UI  ${temporalUi ?? '(external Temporal: see its own UI)'}
    Temporal     gRPC ${temporalAddress}${temporalHttp ? `, HTTP API ${temporalHttp}` : ''}
    Postgres     ${redact(databaseUrl)}
    Simulators   payment provider ${simulators.urls.payments}, carrier ${simulators.urls.carrier}, lightning node ${simulators.urls.lightning}
  A token for trying the API:  npm run token -- <customerId>
  Ctrl-C stops everything.
`);
} catch (error) {
  if (error instanceof PortTakenError) console.error(`[dev] cannot start: ${error.message}`);
  else console.error(`[dev] failed at step ${step}:`, error);
  for (const { stop } of stops.reverse()) await stop().catch(() => {});
  process.exit(1);
}

/** Every port this run will listen on, with the setting that moves it. */
function portsWanted(): WantedPort[] {
  const ports: WantedPort[] = [];
  if (!config.DATABASE_URL) ports.push({ port: DEV_POSTGRES_PORT, role: 'PostgreSQL', setting: 'DEV_POSTGRES_PORT' });
  if (!config.TEMPORAL_ADDRESS) {
    ports.push(
      { port: DEV_TEMPORAL_PORT, role: 'Temporal gRPC', setting: 'DEV_TEMPORAL_PORT' },
      { port: DEV_TEMPORAL_HTTP_PORT, role: 'Temporal HTTP API', setting: 'DEV_TEMPORAL_HTTP_PORT' },
      { port: DEV_TEMPORAL_UI_PORT, role: 'Temporal Web UI', setting: 'DEV_TEMPORAL_UI_PORT' },
    );
  }
  ports.push(
    { port: config.PORT, role: 'API', setting: 'PORT' },
    { port: config.PAYMENTS_SIM_PORT, role: 'payment provider simulator', setting: 'PAYMENTS_SIM_PORT' },
    { port: config.CARRIER_SIM_PORT, role: 'carrier simulator', setting: 'CARRIER_SIM_PORT' },
    { port: config.LIGHTNING_SIM_PORT, role: 'lightning node simulator', setting: 'LIGHTNING_SIM_PORT' },
  );
  for (const [port, role, setting] of [
    [config.WORKER_METRICS_PORT, 'worker metrics', 'WORKER_METRICS_PORT'],
    [config.RELAY_METRICS_PORT, 'relay metrics', 'RELAY_METRICS_PORT'],
  ] as const) {
    if (port !== 0) ports.push({ port, role, setting });
  }
  return ports;
}

function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
