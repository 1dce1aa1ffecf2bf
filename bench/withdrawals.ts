/**
 * Completed bitcoin withdrawals per second against a bare workflow of the same shape,
 * on the same Temporal server in the same run.
 * Ours goes the whole way: `POST /withdrawals` over HTTP (token checked, invoice decoded,
 * withdrawal stored, saga started), reserve-and-accept, pay at the lightning node
 * simulator over HTTP, its signed webhook back through `POST /webhooks/lightning` into
 * a signal, ask the node (HTTP), settle, paid: five activities, one signal.
 * The baseline makes the same hops with nothing behind them: `POST` to a bare Hono app
 * that starts the workflow; five activities, the third a bare HTTP call to a bare node
 * that answers 202 and 5 ms later (the simulator's webhook delay) posts a webhook to the
 * bare app, which signals the workflow; the fourth another bare HTTP call to the node;
 * the signal waited for under a timer, as the saga does (WITHDRAWAL_TIMEOUT).
 * Each withdrawal has its own account, so the figure is the platform's cost, not one
 * account's lock contention (the tests cover that). The last round's histories are read
 * back: the same activities, signals and child workflows on both sides, and nothing
 * failed or retried, else the bench fails.
 */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { deposit } from '../src/accounting/use-cases.ts';
import { systemClock } from '../src/kernel/clock.ts';
import { Money } from '../src/kernel/money.ts';
import { ROUTES } from '../src/main/routes.ts';
import { createApp } from '../src/platform/http/app.ts';
import { issueToken } from '../src/platform/http/auth.ts';
import { freePort } from '../src/platform/launch/free-port.ts';
import { silentLogger } from '../src/platform/log.ts';
import { createLightningNodeSimulator } from '../src/simulators/lightning-node.ts';
import { startSimulator } from '../src/simulators/serve.ts';
import {
  assertSameShape,
  benchPostgres,
  benchTemporal,
  compare,
  describeActivityTimes,
  describeCpu,
  describeShape,
  historyShape,
  median,
} from './support.ts';
import type { BenchBaselineInput } from './workflows/baseline.ts';

const WITHDRAWALS = 60;
/**
 * Activities a paid withdrawal runs: sagaTimeouts, reserveWithdrawalFunds, payWithdrawalInvoice, then the webhook's
 * signal; lightningPaymentStatus only if the saga had to wait for it (the webhook may win the race with the pay
 * step's completion), then settleWithdrawal. Five, or four.
 */
const BEFORE_SIGNAL = 3;
const WHEN_WAITED = 1;
const AFTER_SIGNAL = 1;
/** Where the saga calls the node (pay, then ask), counted from 0 over all five. */
const NODE_CALLS = [2, 3];
/** The simulator's delay before a webhook, on both sides. */
const WEBHOOK_DELAY_MS = 5;
/** WITHDRAWAL_TIMEOUT's default: the timer the saga waits for the node's word under. */
const SIGNAL_WITHIN_MS = 3_600_000;

export async function run(): Promise<void> {
  console.log(
    `withdrawals: ${WITHDRAWALS} concurrent withdrawals per round, HTTP to paid, vs a bare workflow started over HTTP with ` +
      `${BEFORE_SIGNAL + WHEN_WAITED + AFTER_SIGNAL} activities (no-ops; the two node calls bare HTTP round trips; the ask only when it waited, as the saga) and one signal by a webhook over HTTP`,
  );
  const postgres = await benchPostgres();
  const apiPort = await freePort();
  const lightningPort = await freePort();
  const temporal = await benchTemporal(postgres.url, {
    TEMPORAL_TASK_QUEUE: 'bench-withdrawals',
    LIGHTNING_SIM_PORT: String(lightningPort),
  });
  const { config, pools, gateway } = temporal;
  const app = createApp({ config, pools, workflows: gateway, clock: systemClock, logger: silentLogger }, ROUTES);
  const api = serve({ fetch: app.fetch, port: apiPort, hostname: '127.0.0.1' });
  await new Promise((resolve) => api.once('listening', resolve));
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const node = await startSimulator(
    createLightningNodeSimulator({
      webhookUrl: `${apiUrl}/webhooks/lightning`,
      webhookSecret: config.LIGHTNING_WEBHOOK_SECRET,
      webhookDelayMs: WEBHOOK_DELAY_MS,
    }),
    lightningPort,
  );
  const bare = await bareServers(temporal.client, temporal.taskQueue);
  let round = 0;
  const last = { ours: [] as string[], baseline: [] as string[] };
  const requestMs = { ours: [] as number[], baseline: [] as number[] };

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
      const ids: string[] = [];
      temporal.cpu.start();
      const started = performance.now();
      await Promise.all(
        prepared.map(async ({ customer, invoice, token }) => {
          const sent = performance.now();
          const response = await fetch(`${apiUrl}/withdrawals`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            body: JSON.stringify({ accountId: customer, amount: { amount: '1000', currency: 'SAT' }, invoice }),
          });
          if (response.status !== 202) throw new Error(`POST /withdrawals answered ${response.status}: ${await response.text()}`);
          const { workflowId } = (await response.json()) as { workflowId: string };
          requestMs.ours.push(performance.now() - sent);
          ids.push(workflowId);
          const outcome = (await temporal.client.workflow.getHandle(workflowId).result()) as { outcome: string };
          if (outcome.outcome !== 'paid') throw new Error(`withdrawal ended ${outcome.outcome}`);
        }),
      );
      last.ours = ids;
      return WITHDRAWALS / ((performance.now() - started) / 1000);
    };

    const baseline = async () => {
      const batch = ++round;
      const ids = Array.from({ length: WITHDRAWALS }, (_, i) => `bench-baseline-${batch}-${i}`);
      temporal.cpu.start();
      const started = performance.now();
      await Promise.all(
        ids.map(async (workflowId) => {
          const sent = performance.now();
          const response = await fetch(`${bare.apiUrl}/withdrawals`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ workflowId }),
          });
          if (response.status !== 202) throw new Error(`bare POST /withdrawals answered ${response.status}: ${await response.text()}`);
          await response.arrayBuffer();
          requestMs.baseline.push(performance.now() - sent);
          await temporal.client.workflow.getHandle(workflowId).result();
        }),
      );
      last.baseline = ids;
      return WITHDRAWALS / ((performance.now() - started) / 1000);
    };

    await withdrawals(); // warm-up
    await baseline();
    requestMs.ours.length = requestMs.baseline.length = 0;
    const result = await compare({ ours: withdrawals, baseline }, 5, { meter: temporal.cpu, perRound: WITHDRAWALS });

    const ours = await historyShape(temporal.client, last.ours);
    const bareShape = await historyShape(temporal.client, last.baseline);
    console.log(`withdrawal saga, each: ${describeShape(ours, WITHDRAWALS)}`);
    console.log(`baseline, each: ${describeShape(bareShape, WITHDRAWALS)}`);
    console.log(`saga activities, median scheduled→completed: ${describeActivityTimes(ours)}`);
    console.log(describeCpu(result.cpu!, 'withdrawal'));
    console.log(
      `POST /withdrawals, median: ${median(requestMs.ours).toFixed(0)} ms; bare POST: ${median(requestMs.baseline).toFixed(0)} ms`,
    );
    // Timers and the ask may differ by a race both sides share: a webhook faster than the pay step's completion is not waited for.
    assertSameShape(ours, bareShape, ['workflows', 'signals', 'children']);
    for (const [side, shape] of [
      ['saga', ours],
      ['baseline', bareShape],
    ] as const) {
      const perWithdrawal = shape.activities - shape.timers;
      if (perWithdrawal !== 4 * WITHDRAWALS)
        throw new Error(`${side}: ${shape.activities} activities with ${shape.timers} waits, not 4 each plus the ask after a wait`);
    }
    console.log(`bitcoin withdrawals: ${result.ours.toFixed(1)} withdrawals/s`);
    console.log(`bare workflow baseline: ${result.baseline.toFixed(1)} workflows/s`);
    console.log(`ratio=${result.ratio.toFixed(2)}`);
  } finally {
    await bare.close();
    await node.close();
    await new Promise((resolve) => api.close(resolve));
    await temporal.stop();
    await postgres.stop();
  }
}

/**
 * The baseline's outside world, as bare as it gets: an API that starts the workflow and
 * turns a webhook into its signal, and a node that answers a payment at once and posts
 * the webhook after the same delay as the simulator.
 */
async function bareServers(client: Awaited<ReturnType<typeof benchTemporal>>['client'], taskQueue: string) {
  const listen = async (app: Hono) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((resolve) => server.once('listening', resolve));
    const address = server.address();
    return { url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, server };
  };
  const api = new Hono();
  const nodeApp = new Hono();
  const apiServer = await listen(api);
  const nodeServer = await listen(nodeApp);
  api.post('/withdrawals', async (c) => {
    const { workflowId } = await c.req.json<{ workflowId: string }>();
    const input: BenchBaselineInput = {
      activities: BEFORE_SIGNAL,
      whenWaited: WHEN_WAITED,
      after: AFTER_SIGNAL,
      calls: { url: `${nodeServer.url}/payments`, at: NODE_CALLS, body: { workflowId } },
      signalWithinMs: SIGNAL_WITHIN_MS,
    };
    await client.workflow.start('benchBaseline', { workflowId, taskQueue, args: [input] });
    return c.json({ workflowId }, 202);
  });
  api.post('/webhooks', async (c) => {
    const { workflowId } = await c.req.json<{ workflowId: string }>();
    await client.workflow.getHandle(workflowId).signal('benchDone');
    return c.json({ received: true });
  });
  const paid = new Set<string>();
  nodeApp.post('/payments', async (c) => {
    const { workflowId } = await c.req.json<{ workflowId: string }>();
    // The first call pays (and reports by webhook); the second is the saga asking.
    if (!paid.has(workflowId)) {
      paid.add(workflowId);
      setTimeout(() => {
        void fetch(`${apiServer.url}/webhooks`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ workflowId }),
        }).then((response) => response.arrayBuffer());
      }, WEBHOOK_DELAY_MS);
    }
    return c.json({ workflowId, status: 'pending' }, 202);
  });
  return {
    apiUrl: apiServer.url,
    close: async () => {
      for (const { server } of [apiServer, nodeServer]) await new Promise((resolve) => server.close(resolve));
    },
  };
}
