import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEV_SECRETS } from '../src/platform/config/config.ts';
import { migrate } from '../src/platform/db/migrate.ts';
import { createPools, type Pools } from '../src/platform/db/pools.ts';
import { ensureDatabase } from '../src/platform/launch/ensure-database.ts';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../src/platform/launch/embedded-postgres.ts';
import { freePort } from '../src/platform/launch/free-port.ts';
import {
  startTemporalDevServer,
  startTemporalDevServerOnFreePorts,
  type TemporalServerHandle,
} from '../src/platform/launch/temporal-dev-server.ts';
import { writeWorkflowBundle } from '../src/platform/temporal/workflow-bundle.ts';
import { WORKFLOWS_PATH } from '../worker.ts';
import { startSimulators, type RunningSimulators } from '../src/simulators/start-all.ts';
import { startFaultyLink, type FaultyLink } from './faulty-link.ts';
import { platformProcess, type PlatformProcess } from './platform-process.ts';
import type { Random } from './random.ts';
import { startWebhookNetwork, type WebhookNetwork } from './webhook-network.ts';
import { CHAOS_WINDOWS } from './windows.ts';

export { CHAOS_WINDOWS } from './windows.ts';

export const TASK_QUEUE = 'chaos';
const DATABASE = 'marketplace';

export type ProcessName = 'api' | 'worker' | 'relay';
export type SimulatorName = 'payments' | 'carrier' | 'lightning';

/**
 * Everything a chaos run drives, each part in the form a fault can strike: PostgreSQL
 * and the Temporal dev server as supervised servers that keep their data over a
 * restart; the API, the worker and the outbox relay as their own processes; the
 * simulators behind faulty links, and their webhooks through a delivery network that
 * can repeat, reorder and delay.
 */
export interface ChaosStack {
  apiUrl: string;
  temporalAddress: string;
  workflowBundlePath: string;
  /** The harness's own pools: invariants, quiescence, the fuzz's fingerprints. */
  pools: Pools;
  simulators: RunningSimulators;
  links: Record<SimulatorName, FaultyLink>;
  webhooks: WebhookNetwork;
  processes: Record<ProcessName, PlatformProcess>;
  restartPostgres(): Promise<{ downMs: number }>;
  restartTemporal(): Promise<{ downMs: number }>;
  stop(): Promise<void>;
}

export async function startChaosStack(options: { dataDir: string; random: Random; log: (line: string) => void }): Promise<ChaosStack> {
  const { dataDir, log } = options;
  const runDir = join(dataDir, 'run');
  mkdirSync(runDir, { recursive: true });
  const stops: (() => Promise<unknown>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((error: Error) => log(`while stopping: ${error.message}`));
  };

  try {
    const postgresPort = await freePort();
    const startPostgres = () =>
      startEmbeddedPostgres({ dataDir: join(dataDir, 'postgres'), port: postgresPort, persistent: true, runDir, progress: log });
    log(`starting PostgreSQL on 127.0.0.1:${postgresPort} (data in ${join(dataDir, 'postgres')})`);
    let postgres: EmbeddedPostgresHandle = await startPostgres();
    stops.push(() => postgres.stop());
    await ensureDatabase(postgres.url, DATABASE);
    const databaseUrl = postgres.databaseUrl(DATABASE);
    const pools = createPools(databaseUrl, { max: 10, applicationName: 'chaos' });
    stops.push(() => pools.end());
    await migrate(pools.write);

    const temporalOptions = { dbFile: join(dataDir, 'temporal.db'), logFile: join(dataDir, 'temporal.log'), runDir, progress: log };
    log(`starting the Temporal dev server (state in ${temporalOptions.dbFile})`);
    let temporal: TemporalServerHandle = await startTemporalDevServerOnFreePorts(temporalOptions);
    stops.push(() => temporal.stop());
    log(`Temporal dev server on ${temporal.address}`);
    // Restarts keep the ports the first start won: the platform's processes are configured with them.
    const temporalPorts = { port: portOf(temporal.address), httpPort: portOf(temporal.httpAddress) };
    const startTemporal = () => startTemporalDevServer({ ...temporalOptions, ...temporalPorts });

    const apiPort = await freePort();
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const secrets = {
      payments: DEV_SECRETS.PAYMENTS_WEBHOOK_SECRET,
      carrier: DEV_SECRETS.CARRIER_WEBHOOK_SECRET,
      lightning: DEV_SECRETS.LIGHTNING_WEBHOOK_SECRET,
    };
    const webhooks = await startWebhookNetwork({ apiUrl: () => apiUrl, secrets, random: options.random.fork() });
    stops.push(() => webhooks.close());
    const simulators = await startSimulators({
      apiBaseUrl: webhooks.url,
      ports: { payments: await freePort(), carrier: await freePort(), lightning: await freePort() },
      secrets,
      webhookDelayMs: 20,
    });
    stops.push(() => simulators.close());
    const links = {
      payments: await startFaultyLink(simulators.urls.payments),
      carrier: await startFaultyLink(simulators.urls.carrier),
      lightning: await startFaultyLink(simulators.urls.lightning),
    };
    stops.push(() => Promise.all(Object.values(links).map((link) => link.close())));

    log('bundling the workflows once, for every worker start of the run');
    const workflowBundle = await writeWorkflowBundle(WORKFLOWS_PATH, join(dataDir, 'workflow-bundle.js'));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      WORKFLOW_BUNDLE: workflowBundle,
      ...CHAOS_WINDOWS,
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_TASK_QUEUE: TASK_QUEUE,
      PORT: String(apiPort),
      PAYMENTS_PROVIDER_URL: links.payments.url,
      CARRIER_URL: links.carrier.url,
      LIGHTNING_NODE_URL: links.lightning.url,
      TEST_DEPOSITS: 'on',
      LOG_LEVEL: 'warn',
      // Killed and restarted processes must not wait for their old port: any free port each.
      WORKER_METRICS_PORT: '0',
      RELAY_METRICS_PORT: '0',
    };
    const logFile = (name: string) => join(dataDir, `${name}.log`);
    const processes: Record<ProcessName, PlatformProcess> = {
      worker: platformProcess({
        name: 'worker',
        entry: 'worker.ts',
        env: { ...env, LOG_LEVEL: 'info' },
        logFile: logFile('worker'),
        runDir,
        ready: { line: /worker polling/ },
        log,
      }),
      relay: platformProcess({
        name: 'relay',
        entry: 'src/main/relay.ts',
        env: { ...env, LOG_LEVEL: 'info' },
        logFile: logFile('relay'),
        runDir,
        ready: { line: /outbox relay running/ },
        log,
      }),
      api: platformProcess({
        name: 'api',
        entry: 'src/main/api.ts',
        env,
        logFile: logFile('api'),
        runDir,
        ready: { probe: async () => (await fetch(`${apiUrl}/health`, { signal: AbortSignal.timeout(2_000) })).status < 500 },
        log,
      }),
    };
    log(`starting the worker, the relay and the API (logs ${logFile('<name>')})`);
    for (const name of ['worker', 'relay', 'api'] as const) stops.push(() => processes[name].stop());
    await Promise.all(Object.values(processes).map((p) => p.start()));

    return {
      apiUrl,
      temporalAddress: temporal.address,
      workflowBundlePath: workflowBundle,
      pools,
      simulators,
      links,
      webhooks,
      processes,
      async restartPostgres() {
        const begun = Date.now();
        await postgres.stop();
        postgres = await startPostgres();
        return { downMs: Date.now() - begun };
      },
      async restartTemporal() {
        const begun = Date.now();
        await temporal.stop();
        temporal = await startTemporal();
        return { downMs: Date.now() - begun };
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** The port of a `host:port` address. */
function portOf(address: string): number {
  return Number(address.slice(address.lastIndexOf(':') + 1));
}
