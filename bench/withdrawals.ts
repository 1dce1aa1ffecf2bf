/**
 * Completed bitcoin withdrawals per second against a bare workflow with the same number
 * of activities (no-ops) and one signal, on the same Temporal server in the same run.
 * Ours goes the whole way: `POST /withdrawals` over HTTP (invoice decoded, withdrawal
 * stored, saga started), reserve, accept, pay at the lightning node simulator over HTTP,
 * its signed webhook back through `POST /webhooks/lightning` into a signal, settle, paid.
 * Each withdrawal has its own account, so the figure is the platform's cost, not one
 * account's lock contention (the tests cover that).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { NativeConnection } from '@temporalio/worker';
import { deposit } from '../src/accounting/use-cases.ts';
import { systemClock } from '../src/kernel/clock.ts';
import { Money } from '../src/kernel/money.ts';
import { ROUTES } from '../src/main/routes.ts';
import { loadConfig } from '../src/platform/config/config.ts';
import { createPools } from '../src/platform/db/pools.ts';
import { createApp } from '../src/platform/http/app.ts';
import { issueToken } from '../src/platform/http/auth.ts';
import { freePort } from '../src/platform/launch/free-port.ts';
import { startTemporalDevServerOnFreePorts } from '../src/platform/launch/temporal-dev-server.ts';
import { silentLogger } from '../src/platform/log.ts';
import { GrpcWorkflowGateway } from '../src/platform/temporal/grpc-workflow-gateway.ts';
import { createLightningNodeSimulator } from '../src/simulators/lightning-node.ts';
import { startSimulator } from '../src/simulators/serve.ts';
import { configureWorkerRuntime } from '../worker.ts';
import { benchPostgres, compare } from './support.ts';
import { createBenchWorker } from './worker.ts';

const WITHDRAWALS = 60;
/** Activities a paid withdrawal runs: sagaTimeouts, reserveWithdrawalFunds, payWithdrawalInvoice, lightningPaymentStatus, settleWithdrawal. */
const SAGA_ACTIVITIES = 5;

export async function run(): Promise<void> {
  console.log(
    `withdrawals: ${WITHDRAWALS} concurrent withdrawals per round vs a bare workflow with ${SAGA_ACTIVITIES} no-op activities and one signal`,
  );
  const postgres = await benchPostgres();
  const root = mkdtempSync(join(tmpdir(), 'platform-bench-withdrawals-'));
  const temporal = await startTemporalDevServerOnFreePorts({
    logFile: join(root, 'temporal.log'),
    progress: (l) => console.log(l),
  });
  const apiPort = await freePort();
  const lightningPort = await freePort();
  const config = loadConfig({
    TEMPORAL_TASK_QUEUE: 'bench-withdrawals',
    LIGHTNING_SIM_PORT: String(lightningPort),
    LOG_LEVEL: 'warn',
  });
  const pools = createPools(postgres.url, { max: 20, applicationName: 'bench' });
  configureWorkerRuntime({ handleSignals: false });
  const connection = await NativeConnection.connect({ address: temporal.address });
  const worker = await createBenchWorker({
    connection,
    namespace: temporal.namespace,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    pools,
    config,
  });
  const running = worker.run();
  const workflows = await GrpcWorkflowGateway.connect(temporal.address, temporal.namespace);
  const app = createApp({ config, pools, workflows, clock: systemClock, logger: silentLogger }, ROUTES);
  const api = serve({ fetch: app.fetch, port: apiPort, hostname: '127.0.0.1' });
  await new Promise((resolve) => api.once('listening', resolve));
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const node = await startSimulator(
    createLightningNodeSimulator({
      webhookUrl: `${apiUrl}/webhooks/lightning`,
      webhookSecret: config.LIGHTNING_WEBHOOK_SECRET,
      webhookDelayMs: 5,
    }),
    lightningPort,
  );
  let round = 0;

  try {
    const prepare = async () => {
      const batch = ++round;
      return Promise.all(
        Array.from({ length: WITHDRAWALS }, async (_, i) => {
          const customer = `bench-${batch}-${i}-${crypto.randomUUID()}`;
          await deposit(pools.write, { accountId: customer, customerId: customer, amount: Money.of('10000', 'SAT') });
          const response = await fetch(`${node.url}/invoices`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ amountSats: 1000 }),
          });
          const { invoice } = (await response.json()) as { invoice: string };
          return { customer, invoice, token: await issueToken(config.AUTH_SECRET, customer) };
        }),
      );
    };

    const withdrawals = async () => {
      const prepared = await prepare(); // set-up, not timed
      const started = performance.now();
      await Promise.all(
        prepared.map(async ({ customer, invoice, token }) => {
          const response = await fetch(`${apiUrl}/withdrawals`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            body: JSON.stringify({ accountId: customer, amount: { amount: '1000', currency: 'SAT' }, invoice }),
          });
          if (response.status !== 202) throw new Error(`POST /withdrawals answered ${response.status}: ${await response.text()}`);
          const { workflowId } = (await response.json()) as { workflowId: string };
          const outcome = (await workflows.client.workflow.getHandle(workflowId).result()) as { outcome: string };
          if (outcome.outcome !== 'paid') throw new Error(`withdrawal ended ${outcome.outcome}`);
        }),
      );
      return WITHDRAWALS / ((performance.now() - started) / 1000);
    };

    const baseline = async () => {
      const batch = ++round;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: WITHDRAWALS }, async (_, i) => {
          const handle = await workflows.client.workflow.signalWithStart('benchBaseline', {
            workflowId: `bench-baseline-${batch}-${i}`,
            taskQueue: config.TEMPORAL_TASK_QUEUE,
            args: [{ activities: SAGA_ACTIVITIES }],
            signal: 'benchDone',
            signalArgs: [],
          });
          await handle.result();
        }),
      );
      return WITHDRAWALS / ((performance.now() - started) / 1000);
    };

    await withdrawals(); // warm-up
    await baseline();
    const result = await compare({ ours: withdrawals, baseline }, 3);
    console.log(`bitcoin withdrawals: ${result.ours.toFixed(1)} withdrawals/s`);
    console.log(`bare workflow baseline: ${result.baseline.toFixed(1)} workflows/s`);
    console.log(`ratio=${result.ratio.toFixed(2)}`);
  } finally {
    await node.close();
    await new Promise((resolve) => api.close(resolve));
    worker.shutdown();
    await running;
    await connection.close();
    await workflows.close();
    await pools.end();
    await temporal.stop();
    await postgres.stop();
    rmSync(root, { recursive: true, force: true });
  }
}
