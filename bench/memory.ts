/**
 * The worker's memory with many sagas open: the production worker (`worker.ts`, its own
 * process, so its resident memory is its own) while 1,000 auction-closing sagas sleep on
 * their durable timers to an `endsAt` six hours ahead. The auctions are created through
 * the real `POST /auctions` (served in this process), whose route starts each saga. Every
 * saga is checked to be running with its timer started, in its own history, before the
 * memory counts. Prints VmRSS before and after and the peak (VmHWM, and the highest
 * sample), then `ratio=` 300 MB ÷ peak: 1 or more is within the budget.
 *
 * `MEMORY_SAGAS` (default 1000) makes quick runs possible.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { systemClock } from '../src/kernel/clock.ts';
import { ROUTES } from '../src/main/routes.ts';
import { loadConfig } from '../src/platform/config/config.ts';
import { createPools } from '../src/platform/db/pools.ts';
import { createApp } from '../src/platform/http/app.ts';
import { issueToken } from '../src/platform/http/auth.ts';
import { silentLogger } from '../src/platform/log.ts';
import { GrpcWorkflowGateway } from '../src/platform/temporal/grpc-workflow-gateway.ts';
import { auctionClosingSaga } from '../workflows/auction-closing.contract.ts';
import { memoryOf, startPlatformProcess, type PlatformProcess } from './scale-processes.ts';
import { benchPostgres, benchTemporalServer } from './support.ts';

const SAGAS = Number(process.env.MEMORY_SAGAS ?? 1000);
const BUDGET_MB = 300;
const SELLERS = 50;
/** How long the parked sagas are watched once all are waiting, in ms. */
const HOLD_MS = 15_000;

export async function run(): Promise<void> {
  console.log(`memory: the worker process with ${SAGAS} auction-closing sagas waiting on their timers (budget ${BUDGET_MB} MB)`);
  const postgres = await benchPostgres();
  const root = mkdtempSync(join(tmpdir(), 'platform-bench-memory-'));
  const temporal = await benchTemporalServer(root);
  const config = loadConfig({ TEMPORAL_TASK_QUEUE: 'bench-memory', LOG_LEVEL: 'warn' });
  const pools = createPools(postgres.url, { max: 8, applicationName: 'bench' });
  const workflows = await GrpcWorkflowGateway.connect(temporal.address, temporal.namespace);
  const app = createApp({ config, pools, workflows, clock: systemClock, logger: silentLogger }, ROUTES);
  const api = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((resolve) => api.once('listening', resolve));
  const address = api.address();
  const apiUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  let worker: PlatformProcess | undefined;
  let sampler: NodeJS.Timeout | undefined;
  let failed = false;
  try {
    const started = performance.now();
    worker = await startPlatformProcess({
      name: 'worker',
      root,
      env: {
        DATABASE_URL: postgres.url,
        TEMPORAL_ADDRESS: temporal.address,
        TEMPORAL_NAMESPACE: temporal.namespace,
        TEMPORAL_TASK_QUEUE: config.TEMPORAL_TASK_QUEUE,
        // To compare workflow bundles (one built without the interceptors, say); unset, the worker bundles at start as in production.
        ...(process.env.MEMORY_WORKFLOW_BUNDLE ? { WORKFLOW_BUNDLE: process.env.MEMORY_WORKFLOW_BUNDLE } : {}),
      },
    });
    const pid = worker.pid;
    console.log(`worker up in ${((performance.now() - started) / 1000).toFixed(1)} s (pid ${pid})`);
    // Let start-up garbage settle, so "before" is the idle worker, not its bundling.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const before = memoryOf(pid);
    console.log(`before: VmRSS ${before.rssMb.toFixed(0)} MB (peak so far ${before.peakMb.toFixed(0)} MB, while bundling)`);

    let highestSample = before.rssMb;
    sampler = setInterval(() => (highestSample = Math.max(highestSample, memoryOf(pid).rssMb)), 250);

    const tokens = await Promise.all(Array.from({ length: SELLERS }, (_, i) => issueToken(config.AUTH_SECRET, `seller-${i}`)));
    const endsAt = new Date(Date.now() + 6 * 3_600_000).toISOString();
    const auctionIds: string[] = [];
    let next = 0;
    const creating = performance.now();
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < SAGAS) {
          const i = next++;
          const response = await fetch(`${apiUrl}/auctions`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[i % SELLERS]}` },
            body: JSON.stringify({ title: `Lot ${i}`, startingPrice: { amount: '1.00', currency: 'USD' }, endsAt, fulfilment: 'delivery' }),
          });
          if (response.status !== 201) throw new Error(`POST /auctions answered ${response.status}: ${await response.text()}`);
          auctionIds.push(((await response.json()) as { id: string }).id);
        }
      }),
    );
    console.log(`${auctionIds.length} auctions created through POST /auctions in ${((performance.now() - creating) / 1000).toFixed(1)} s`);

    // Waiting means: running, and its first workflow task has run and started the timer.
    const client = workflows.client;
    const seenWaiting = new Set<string>(); // a saga parked on a six-hour timer stays parked: checked once
    const waiting = async () => {
      const unchecked = auctionIds.filter((id) => !seenWaiting.has(id));
      let i = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (i < unchecked.length) {
            const auctionId = unchecked[i++]!;
            const handle = client.workflow.getHandle(auctionClosingSaga.workflowId(auctionId));
            const [description, history] = await Promise.all([handle.describe(), handle.fetchHistory()]);
            if (description.status.name === 'RUNNING' && history.events?.some((e) => e.timerStartedEventAttributes))
              seenWaiting.add(auctionId);
          }
        }),
      );
      return seenWaiting.size;
    };
    let waitingNow = 0;
    for (const deadline = Date.now() + 600_000; Date.now() < deadline;) {
      const pass = performance.now();
      waitingNow = await waiting();
      console.log(
        `  ${waitingNow} of ${SAGAS} waiting (checked in ${((performance.now() - pass) / 1000).toFixed(1)} s); worker VmRSS ${memoryOf(pid).rssMb.toFixed(0)} MB`,
      );
      if (waitingNow === SAGAS) break;
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
    const listed = await client.workflow.count(`WorkflowType = 'auctionClosing' AND ExecutionStatus = 'Running'`);
    console.log(
      `sagas waiting on their timer: ${waitingNow} of ${SAGAS} (by history); ${listed.count} auctionClosing running (by Temporal's list)`,
    );
    if (waitingNow !== SAGAS) throw new Error(`only ${waitingNow} of ${SAGAS} sagas are waiting`);
    // A last look at every one, so none counted earlier has since failed or ended.
    seenWaiting.clear();
    waitingNow = await waiting();
    if (waitingNow !== SAGAS) throw new Error(`only ${waitingNow} of ${SAGAS} sagas are still waiting`);

    await new Promise((resolve) => setTimeout(resolve, HOLD_MS));
    clearInterval(sampler);
    sampler = undefined;
    const after = memoryOf(pid);
    const peak = Math.max(after.peakMb, highestSample);
    console.log(`after ${HOLD_MS / 1000} s with all ${SAGAS} waiting: VmRSS ${after.rssMb.toFixed(0)} MB`);
    console.log(`peak: VmHWM ${after.peakMb.toFixed(0)} MB (highest sample ${highestSample.toFixed(0)} MB)`);
    console.log(`growth for ${SAGAS} open sagas: ${(after.rssMb - before.rssMb).toFixed(0)} MB`);
    console.log(`ratio=${(BUDGET_MB / peak).toFixed(2)}`);
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    if (sampler) clearInterval(sampler);
    await worker?.stop().catch(() => undefined);
    await new Promise((resolve) => api.close(resolve));
    await workflows.close();
    await pools.end();
    await temporal.stop();
    await postgres.stop();
    if (failed) console.log(`logs kept in ${root}`);
    else rmSync(root, { recursive: true, force: true });
  }
}
