/**
 * p50 and p99 latency at a fixed arrival rate (open loop: an operation starts every
 * 1/rate s whatever the earlier ones are doing), the platform against a bare Hono app on
 * raw `pg` (bench/latency-bare.ts) doing the same database work, in the same process
 * and run, on the same Postgres and Temporal server:
 *
 * - bid: `POST /auctions/:id/bids` through the real app (JWT, zod, idempotency
 *   middleware, the placeBid use case) vs a bare route with the same SELECT … FOR
 *   UPDATE and one-statement versioned write (row, bid, events, outbox, NOTIFY);
 * - signal to state: a signed `payment.charged` webhook to `POST /webhooks/payments`,
 *   then `GET /payments/:id` until it reads `charged`, vs a bare signed route that
 *   records the same fact (inbox, row, event, outbox) and a bare GET;
 * - saga start: `POST /withdrawals` (invoice decoded, withdrawal stored, bitcoin-withdrawal
 *   saga started) until the saga's first activity completed, vs a bare route that reads
 *   the invoice, stores a withdrawal row with its event and outbox message in one
 *   statement, and starts the bench's `benchBaseline` workflow in the saga's shape up to
 *   its wait (three activities, the third a call to the node, then a timer). Both are timed from the
 *   request's due time to the ActivityTaskCompleted event in the workflow's history
 *   (the server's clock, the same machine's), so no polling delay is counted. The
 *   withdrawals pay `hold` invoices of the lightning node simulator, so each saga then
 *   reserves, pays and parks on its timer, as a slow lightning payment would.
 *
 * `ratio=` baseline p99 ÷ ours p99 per operation (target ≥ 0.7), the worst last. Each
 * side runs in two halves, in the order AB BA, so drift on the machine hits both.
 * `LATENCY_OPS` (2000 per side and operation), `LATENCY_RATE` (50/s, bids and webhooks)
 * and `LATENCY_SAGA_RATE` (5/s: each withdrawal saga runs three activities and four
 * workflow tasks, and this 2-core machine falls behind at 10/s) make quick runs possible.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { NativeConnection } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
// The package is CommonJS whose names Node cannot see from ESM (`npm run bench` runs this file as ESM).
import protos from '@temporalio/proto';
import pg from 'pg';
import { deposit } from '../src/accounting/use-cases.ts';
import { createAuction } from '../src/auctions/use-cases.ts';
import { systemClock } from '../src/kernel/clock.ts';
import { Money } from '../src/kernel/money.ts';
import { ROUTES } from '../src/main/routes.ts';
import { requestCharge, startPayment } from '../src/payments/use-cases.ts';
import { loadConfig } from '../src/platform/config/config.ts';
import { createPools } from '../src/platform/db/pools.ts';
import { createApp } from '../src/platform/http/app.ts';
import { issueToken } from '../src/platform/http/auth.ts';
import { signWebhook } from '../src/platform/http/webhook-signature.ts';
import { freePort } from '../src/platform/launch/free-port.ts';
import { silentLogger } from '../src/platform/log.ts';
import { GrpcWorkflowGateway } from '../src/platform/temporal/grpc-workflow-gateway.ts';
import { createLightningNodeSimulator } from '../src/simulators/lightning-node.ts';
import { startSimulator } from '../src/simulators/serve.ts';
import { configureWorkerRuntime } from '../worker.ts';
import { createBareApp } from './latency-bare.ts';
import { describe, ms, openLoop } from './latency-stats.ts';
import { benchPostgres, benchTemporalServer } from './support.ts';
import { createBenchWorker } from './worker.ts';

const OPS = Number(process.env.LATENCY_OPS ?? 2000);
const RATE = Number(process.env.LATENCY_RATE ?? 50);
const SAGA_RATE = Number(process.env.LATENCY_SAGA_RATE ?? 5);
const WARM_UP = Math.min(100, OPS);
const AUCTIONS = 50;
const BIDDERS = 100;
const PAYERS = 50;

type Side = 'ours' | 'baseline';

/** Things done with `concurrency` at a time: set-up that must not flood the pools. */
async function inBatches<T>(count: number, concurrency: number, make: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        results[i] = await make(i);
      }
    }),
  );
  return results;
}

async function expectStatus(response: Response, status: number, what: string): Promise<Response> {
  if (response.status !== status) throw new Error(`${what} answered ${response.status}: ${await response.text()}`);
  return response;
}

export async function run(): Promise<void> {
  console.log(
    `latency: p50/p99 over ${OPS} operations per side, open loop at ${RATE}/s (bids, webhooks) and ${SAGA_RATE}/s (saga starts), ` +
      'the platform vs bare Hono + raw pg',
  );
  const postgres = await benchPostgres();
  const root = mkdtempSync(join(tmpdir(), 'platform-bench-latency-'));
  const temporal = await benchTemporalServer(root);
  const lightningPort = await freePort();
  const config = loadConfig({ TEMPORAL_TASK_QUEUE: 'bench-latency', LIGHTNING_SIM_PORT: String(lightningPort), LOG_LEVEL: 'warn' });
  const pools = createPools(postgres.url, { max: 10, applicationName: 'bench' });
  const barePool = new pg.Pool({ connectionString: postgres.url, max: 10, application_name: 'bench-bare' });
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
  const client: Client = workflows.client;

  const listen = async (fetchApp: (request: Request) => Response | Promise<Response>) => {
    const server: ServerType = serve({ fetch: fetchApp, port: 0, hostname: '127.0.0.1' });
    await new Promise((resolve) => server.once('listening', resolve));
    const address = server.address();
    return { server, url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` };
  };
  const ours = await listen(createApp({ config, pools, workflows, clock: systemClock, logger: silentLogger }, ROUTES).fetch);
  // The bare workflow takes the withdrawal saga's shape up to its wait (three activities,
  // the third an HTTP round trip to the lightning node, then a wait under a timer), so both
  // sides put the same load behind the first activity: the worker, the node and the API
  // share this process's event loop, and a baseline that stopped at its first activity
  // measured ours against an idle process. `LATENCY_SAGA_BASELINE=bare`: one activity only.
  const sagaInput =
    process.env.LATENCY_SAGA_BASELINE === 'bare'
      ? { activities: 1 }
      : {
          activities: 3,
          calls: { url: `http://127.0.0.1:${lightningPort}/invoices`, at: [2], body: { amountSats: 1000, memo: 'hold' } },
          signalWithinMs: 3_600_000,
        };
  const bare = await listen(
    createBareApp({
      pool: barePool,
      client,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      webhookSecret: config.PAYMENTS_WEBHOOK_SECRET,
      sagaInput,
    }).fetch,
  );
  const node = await startSimulator(
    createLightningNodeSimulator({ webhookUrl: `${ours.url}/webhooks/lightning`, webhookSecret: config.LIGHTNING_WEBHOOK_SECRET }),
    lightningPort,
  );
  const urlOf = (side: Side) => (side === 'ours' ? ours.url : `${bare.url}/bare`);

  try {
    const deps = { pool: pools.write, clock: systemClock };
    const tokens = new Map<string, string>();
    const tokenOf = async (customer: string) => {
      let token = tokens.get(customer);
      if (!token) tokens.set(customer, (token = await issueToken(config.AUTH_SECRET, customer)));
      return token;
    };

    // --- a. bids --------------------------------------------------------------------
    const auctions = await inBatches(
      AUCTIONS,
      4,
      async (i) =>
        (
          await createAuction(deps, {
            sellerId: 'bench-seller',
            title: `Lot ${i}`,
            startingPrice: Money.of('1.00', 'USD'),
            endsAt: new Date(Date.now() + 6 * 3_600_000),
            fulfilment: 'delivery',
          })
        ).auctionId,
    );
    for (let b = 0; b < BIDDERS; b++) await tokenOf(`bidder-${b}`);
    let cents = 1_000;
    const refused: Record<Side, number> = { ours: 0, baseline: 0 };
    /** Every bid is above all before it, so each one leads and writes. */
    const bids = async (side: Side, count: number) => {
      const prepared = Array.from({ length: count }, (_, i) => {
        const minor = ++cents;
        const bidder = `bidder-${i % BIDDERS}`;
        return {
          url: `${urlOf(side)}/auctions/${auctions[i % AUCTIONS]}/bids`,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.get(bidder)}`, 'x-bidder': bidder },
          body: JSON.stringify({
            amount: { amount: `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}`, currency: 'USD' },
          }),
        };
      });
      const result = await openLoop(count, RATE, async (i) => {
        const { url, headers, body } = prepared[i]!;
        const response = await fetch(url, { method: 'POST', headers, body });
        // 422: overtaken by a later bid on the same auction that a stall let in first (rare at these rates).
        if (response.status === 422) refused[side]++;
        else await expectStatus(response, 201, `${side} bid`);
        await response.arrayBuffer();
      });
      return result.latencies;
    };

    // --- b. signal to state -----------------------------------------------------------
    /** Payments with a charge at the provider (`charging`), each waiting for its webhook. */
    const chargingPayments = async (count: number) =>
      inBatches(count, 4, async (i) => {
        const payerId = `payer-${i % PAYERS}`;
        const { paymentId } = await startPayment(pools.write, {
          auctionId: crypto.randomUUID(),
          payerId,
          payeeId: 'bench-seller',
          amount: { amount: '12.00', currency: 'USD' },
          title: `Lot ${i}`,
          payableUntil: new Date(Date.now() + 3_600_000).toISOString(),
        });
        await requestCharge({ ...deps, maxAttempts: config.MAX_CHARGE_ATTEMPTS }, { paymentId, payerId });
        return { paymentId, token: await tokenOf(payerId) };
      });
    const webhooks = async (side: Side, count: number) => {
      const payments = await chargingPayments(count); // set-up, not timed
      const nowSeconds = Math.floor(Date.now() / 1000);
      const prepared = await Promise.all(
        payments.map(async ({ paymentId, token }) => {
          const body = JSON.stringify({
            id: `evt-${crypto.randomUUID()}`,
            type: 'payment.charged',
            data: { paymentId, providerChargeId: `ch_${crypto.randomUUID()}` },
          });
          return { paymentId, token, body, signature: await signWebhook(config.PAYMENTS_WEBHOOK_SECRET, body, nowSeconds) };
        }),
      );
      const result = await openLoop(count, RATE, async (i) => {
        const { paymentId, token, body, signature } = prepared[i]!;
        const sent = await fetch(`${urlOf(side)}/webhooks/payments`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'webhook-signature': signature },
          body,
        });
        await (await expectStatus(sent, 200, `${side} webhook`)).arrayBuffer();
        // The poll a client would run: the first read normally sees it (the webhook
        // commits before it answers); any other answer means try again shortly.
        for (let attempt = 0; ; attempt++) {
          const read = await fetch(`${urlOf(side)}/payments/${paymentId}`, { headers: { authorization: `Bearer ${token}` } });
          const { status } = (await (await expectStatus(read, 200, `${side} payment read`)).json()) as { status: string };
          if (status === 'charged') return;
          if (attempt > 1000) throw new Error(`${side}: payment ${paymentId} still ${status}`);
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
      });
      return result.latencies;
    };

    // --- c. saga start ----------------------------------------------------------------
    let withdrawalRound = 0;
    const withdrawalsReady = async (count: number) => {
      const round = ++withdrawalRound;
      return inBatches(count, 4, async (i) => {
        const customer = `bench-${round}-${i}-${crypto.randomUUID()}`;
        await deposit(pools.write, { accountId: customer, customerId: customer, amount: Money.of('10000', 'SAT') });
        const response = await fetch(`${node.url}/invoices`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ amountSats: 1000, memo: 'hold' }),
        });
        const { invoice } = (await (await expectStatus(response, 201, 'lightning invoice')).json()) as { invoice: string };
        return { customer, invoice, token: await issueToken(config.AUTH_SECRET, customer) };
      });
    };
    const sagaStarts = async (side: Side, count: number) => {
      const ready = await withdrawalsReady(count); // set-up, not timed
      const workflowIds: string[] = new Array(count);
      const result = await openLoop(count, SAGA_RATE, async (i) => {
        const { customer, invoice, token } = ready[i]!;
        const response = await fetch(`${urlOf(side)}/withdrawals`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ accountId: customer, amount: { amount: '1000', currency: 'SAT' }, invoice }),
        });
        workflowIds[i] = ((await (await expectStatus(response, 202, `${side} withdrawal`)).json()) as { workflowId: string }).workflowId;
      });
      if (process.env.LATENCY_PHASES) await printPhases(client, side, workflowIds, result.dueAt);
      // Read after the run, so fetching histories does not load the server while it is measured.
      const completedAt = await inBatches(count, 8, (i) => firstActivityCompletedAt(client, workflowIds[i]!));
      const latencies = completedAt.map((at, i) => at - result.dueAt[i]!);
      if (process.env.LATENCY_DEBUG) {
        const slowest = latencies.indexOf(Math.max(...latencies));
        const history = await client.workflow.getHandle(workflowIds[slowest]!).fetchHistory();
        const t0 = result.dueAt[slowest]!;
        console.log(`  slowest ${side} (${latencies[slowest]!.toFixed(0)} ms): ${workflowIds[slowest]}`);
        for (const e of history.events ?? []) {
          const at = Number(e.eventTime!.seconds) * 1000 + (e.eventTime!.nanos ?? 0) / 1e6;
          console.log(
            `    +${(at - t0).toFixed(0)} ms ${e.eventType} ${JSON.stringify(e.workflowTaskFailedEventAttributes?.failure?.message ?? e.activityTaskFailedEventAttributes?.failure?.message ?? '')}`,
          );
        }
      }
      return latencies;
    };

    const scenarios: { name: string; unit: string; measure: (side: Side, count: number) => Promise<number[]> }[] = [
      { name: 'bid (POST /auctions/:id/bids)', unit: 'HTTP round trip', measure: bids },
      { name: 'signal to state (webhook, then GET /payments/:id)', unit: 'webhook sent to the state read', measure: webhooks },
      { name: 'saga start (POST /withdrawals)', unit: 'request due to first activity completed', measure: sagaStarts },
    ];
    const ratios: { name: string; ratio: number }[] = [];
    // `bid`, `signal`, `saga` or a comma-separated list of them: some scenarios only, while tuning.
    const only = process.env.LATENCY_ONLY?.split(',');
    for (const scenario of scenarios.filter((s) => !only || only.some((name) => s.name.startsWith(name)))) {
      console.log(`${scenario.name}: ${scenario.unit}`);
      for (const side of ['baseline', 'ours'] as const) await scenario.measure(side, WARM_UP);
      const latencies: Record<Side, number[]> = { ours: [], baseline: [] };
      const halves: Side[][] = [
        ['baseline', 'ours'],
        ['ours', 'baseline'],
      ];
      for (const [h, order] of halves.entries()) {
        const count = h === 0 ? Math.ceil(OPS / 2) : Math.floor(OPS / 2);
        for (const side of order) latencies[side].push(...(await scenario.measure(side, count)));
      }
      const o = describe(latencies.ours);
      const b = describe(latencies.baseline);
      console.log(`  ours:     p50 ${ms(o.p50)}, p99 ${ms(o.p99)}, max ${ms(o.max)}`);
      console.log(`  baseline: p50 ${ms(b.p50)}, p99 ${ms(b.p99)}, max ${ms(b.max)}`);
      const ratio = b.p99 / o.p99;
      ratios.push({ name: scenario.name, ratio });
      if (scenario.measure === bids) console.log(`  bids refused as overtaken: ours ${refused.ours}, baseline ${refused.baseline}`);
      console.log(`  ratio=${ratio.toFixed(2)}`);
    }
    const worst = ratios.reduce((a, b) => (b.ratio < a.ratio ? b : a));
    console.log(`worst: ${worst.name}`);
    console.log(`ratio=${worst.ratio.toFixed(2)}`);
  } finally {
    await node.close();
    for (const { server } of [ours, bare]) await new Promise((resolve) => server.close(resolve));
    worker.shutdown();
    await running;
    await connection.close();
    await workflows.close();
    await barePool.end();
    await pools.end();
    await temporal.stop();
    await postgres.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

/** When the workflow's first activity completed, by the server's record (epoch ms). */
async function firstActivityCompletedAt(client: Client, workflowId: string): Promise<number> {
  for (let attempt = 0; attempt < 600; attempt++) {
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    const completed = history.events?.find((event) => event.activityTaskCompletedEventAttributes);
    if (completed?.eventTime) {
      return Number(completed.eventTime.seconds) * 1000 + (completed.eventTime.nanos ?? 0) / 1e6;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${workflowId}: no activity completed within a minute`);
}

/**
 * `LATENCY_PHASES=1`: when each event up to the first completed activity happened, p50
 * and p90 from the request's due time over a side's first 200 sagas, by the server's
 * clock: which hop (start, task pickup, workflow task, activity pickup) the time goes to.
 */
async function printPhases(client: Client, side: Side, workflowIds: string[], dueAt: number[]): Promise<void> {
  const phases = new Map<string, number[]>();
  for (const [i, workflowId] of workflowIds.slice(0, 200).entries()) {
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    const seen = new Set<string>();
    for (const event of history.events ?? []) {
      const name = protos.temporal.api.enums.v1.EventType[event.eventType ?? 0] ?? String(event.eventType);
      if (seen.has(name)) continue;
      seen.add(name);
      const at = Number(event.eventTime!.seconds) * 1000 + (event.eventTime!.nanos ?? 0) / 1e6;
      phases.set(name, [...(phases.get(name) ?? []), at - dueAt[i]!]);
      if (event.activityTaskCompletedEventAttributes) break;
    }
  }
  for (const [name, values] of phases) {
    const sorted = values.sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!.toFixed(1);
    console.log(`    ${side} ${name.replace('EVENT_TYPE_', '')}: p50 +${at(0.5)} ms, p90 +${at(0.9)} ms`);
  }
}
