import { inspect } from 'node:util';
import { loadConfig, type Config } from '../../src/platform/config/config.ts';
import { freePort } from '../../src/platform/launch/free-port.ts';
import { silentLogger } from '../../src/platform/log.ts';
import type { ApiMetrics } from '../../src/platform/observability/http-metrics.ts';
import type { Registry } from '../../src/platform/observability/metrics-registry.ts';
import { createOutboxMetrics } from '../../src/platform/observability/outbox-metrics.ts';
import type { WorkerDeps } from '../../worker.ts';
import { GrpcWorkflowGateway } from '../../src/platform/temporal/grpc-workflow-gateway.ts';
import type { WorkflowGateway } from '../../src/platform/temporal/workflow-gateway.ts';
import { startRelay } from '../../src/main/relay.ts';
import { startSimulators, type RunningSimulators } from '../../src/simulators/start-all.ts';
import { startTestApi, type TestApi } from './api-server.ts';
import { startBlackHole } from './black-hole.ts';
import { moneyViolations } from '../../chaos/invariants/money.ts';
import { createTestDatabase, startTestWorker, temporalTarget, uniqueTaskQueue } from './test-env.ts';

export interface TestPlatform {
  api: TestApi;
  config: Config;
  db: Awaited<ReturnType<typeof createTestDatabase>>;
  workflows: GrpcWorkflowGateway;
  simulators: RunningSimulators;
  taskQueue: string;
  /** Stops the in-process worker (to start another, e.g. after a simulated crash). */
  worker: Awaited<ReturnType<typeof startTestWorker>> | undefined;
  startWorker(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The whole platform for end-to-end tests, as `npm run dev` runs it, on real parts:
 * its own database, a worker on its own task queue, the outbox relay, the API on a real
 * HTTP port, and the simulators sending signed webhooks back to it. `env` sets
 * configuration such as a payment window of seconds.
 */
export async function startPlatform(
  options: {
    env?: Record<string, string>;
    worker?: boolean;
    /** Wraps the gateway the API signals through, e.g. to lose signals on purpose. */
    apiWorkflows?: (gateway: WorkflowGateway) => WorkflowGateway;
    invariantTimeoutMs?: number;
    /** Senders whose webhooks never reach the API: they go to a server that answers 200 and drops them. */
    webhooksLost?: ('payments' | 'carrier' | 'lightning')[];
    /** Metrics of the processes, as the entry points set them up; off by default (tracing is per process: startTracing). */
    observability?: { api?: ApiMetrics; outboxRegistry?: Registry } & Pick<WorkerDeps, 'metrics'>;
  } = {},
): Promise<TestPlatform> {
  const db = await createTestDatabase();
  const taskQueue = uniqueTaskQueue('e2e');
  const ports = { payments: await freePort(), carrier: await freePort(), lightning: await freePort() };
  const env = {
    TEMPORAL_TASK_QUEUE: taskQueue,
    PAYMENTS_SIM_PORT: String(ports.payments),
    CARRIER_SIM_PORT: String(ports.carrier),
    LIGHTNING_SIM_PORT: String(ports.lightning),
    ...options.env,
  };
  const config = loadConfig(env);
  const { address, namespace } = temporalTarget();
  const workflows = await GrpcWorkflowGateway.connect(address, namespace);
  const observability = options.observability ?? {};
  const outboxMetrics = observability.outboxRegistry && createOutboxMetrics(observability.outboxRegistry, db.pools.write);
  const relay = await startRelay({ pools: db.pools, logger: silentLogger, workflows, config, metrics: outboxMetrics });
  const api = await startTestApi({
    pools: db.pools,
    workflows: options.apiWorkflows?.(workflows) ?? workflows,
    env,
    metrics: observability.api,
  });
  const blackHole = options.webhooksLost?.length ? await startBlackHole() : undefined;
  const simulators = await startSimulators({
    apiBaseUrl: api.url,
    ports,
    webhookDelayMs: 20,
    secrets: {
      payments: config.PAYMENTS_WEBHOOK_SECRET,
      carrier: config.CARRIER_WEBHOOK_SECRET,
      lightning: config.LIGHTNING_WEBHOOK_SECRET,
    },
    webhookBaseUrls: Object.fromEntries((options.webhooksLost ?? []).map((sender) => [sender, blackHole!.url])),
  });
  const platform: TestPlatform = {
    api,
    config,
    db,
    workflows,
    simulators,
    taskQueue,
    worker: undefined,
    async startWorker() {
      platform.worker = await startTestWorker(db.pools, taskQueue, {
        config,
        metrics: observability.metrics,
      });
    },
    async stop() {
      // After every end-to-end file: the money is where the provider, the node and the books say.
      const world = {
        read: db.pools.read,
        paymentsUrl: simulators.urls.payments,
        lightningUrl: simulators.urls.lightning,
        feeBasisPoints: config.PLATFORM_FEE,
      };
      const settled = await eventually(
        () => moneyViolations(world),
        (violations) => violations.length === 0,
        options.invariantTimeoutMs ?? 20_000,
      ).catch((error: Error) => error);
      await simulators.close();
      await blackHole?.close();
      await platform.worker?.stop();
      await relay.stop();
      await api.close();
      await workflows.close();
      await db.drop();
      if (settled instanceof Error) throw new Error(`money invariants violated after this file: ${settled.message}`);
    },
  };
  if (options.worker !== false) await platform.startWorker();
  return platform;
}

/** A value for a failure message: its JSON, or (a circular one, such as a span) its inspection; cut short either way. */
function described(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value);
  } catch {
    text = inspect(value, { depth: 2 });
  }
  return text.length > 4000 ? `${text.slice(0, 4000)}…` : text;
}

/** Reads an endpoint until `done` holds for its body, or fails with the last body seen. */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await read();
  while (!done(last)) {
    if (Date.now() > deadline) throw new Error(`condition not reached within ${timeoutMs} ms; last value: ${described(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    last = await read();
  }
  return last;
}
