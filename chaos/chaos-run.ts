import { Client, Connection } from '@temporalio/client';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEV_SECRETS } from '../src/platform/config/config.ts';
import type { ChaosOptions } from './chaos-options.ts';
import { CustomerClient, newTally } from './customer-client.ts';
import { healAll, runFaults, type FaultLogEntry } from './faults.ts';
import { runFuzz } from './fuzz/run-fuzz.ts';
import type { FuzzReport } from './fuzz/fuzz-report.ts';
import { walGatedFingerprint } from './fuzz/wal-gated-fingerprint.ts';
import { startWorkflowOnlyWorker } from './fuzz/workflow-only-worker.ts';
import { checkInvariants } from './invariants/check-invariants.ts';
import type { InvariantRow } from './invariants/invariant-row.ts';
import { runCustomers, type LoadResult } from './load/customers.ts';
import { decideWhatTheOutsideStillHolds } from './load/outside-decisions.ts';
import { waitForQuiescence, type Quiet } from './quiescence.ts';
import { Random } from './random.ts';
import { startChaosStack, TASK_QUEUE, type ChaosStack } from './stack.ts';
import { orderFigures } from './order-figures.ts';
import { countSagasByType } from './saga-counts.ts';
import { basisPoints, CHAOS_WINDOWS } from './windows.ts';

export interface ChaosResult {
  seed: number;
  dataDir: string;
  load: LoadResult;
  loadTally: ReturnType<typeof newTally>;
  faults: FaultLogEntry[];
  sagas: Record<string, number>;
  /** How the load's orders ended (before the fuzz): deliveries and vouchers by status, payouts. */
  orders: Record<string, number>;
  quiet: Quiet;
  rows: InvariantRow[];
  fuzz: FuzzReport;
  /** Platform processes that died by themselves (not by a fault) and were started again, by name. */
  selfExits: Record<string, number>;
  violations: number;
}

/**
 * One chaos run: start the stack; run the customers and the fault scheduler side by
 * side for the given minutes; heal; wait until the platform is quiet; check every
 * invariant; fuzz the API with the relay stopped and a worker without activities (so a
 * refused request's footprint is exact); start them again, let the fuzz's effects settle, and check the
 * invariants once more. Every failed check is a violation.
 */
export async function runChaos(options: ChaosOptions, log: (line: string) => void): Promise<ChaosResult> {
  const random = new Random(options.seed);
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), `chaos-${options.seed}-`));
  const startedAt = Date.now();
  const say = (line: string) => log(`+${((Date.now() - startedAt) / 1000).toFixed(1)}s ${line}`);
  say(`seed ${options.seed}; data and logs in ${dataDir}`);
  const stack = await startChaosStack({ dataDir, random: random.fork(), log: say });
  const connection = await Connection.connect({ address: stack.temporalAddress });
  const temporal = new Client({ connection });
  const untilQuiet = () =>
    waitForQuiescence({
      temporal,
      taskQueue: TASK_QUEUE,
      read: stack.pools.read,
      webhooks: stack.webhooks,
      timeoutMs: options.quietTimeout * 1_000,
      parked: parkedLegitimately(stack),
      log: say,
    });
  try {
    const loadTally = newTally();
    const client = new CustomerClient(stack.apiUrl, DEV_SECRETS.AUTH_SECRET, loadTally);
    const loadBegan = Date.now();
    const until = loadBegan + options.minutes * 60_000;
    say(`load: ${options.customers} customers for ${options.minutes} min; a fault every ~${options.faultEvery}s`);
    const [load, faults] = await Promise.all([
      runCustomers({ count: options.customers, until, client, random: random.fork(), outside: stack.simulators.urls, log: say }),
      runFaults({ stack, random: random.fork(), startedAt: loadBegan, until, everyMs: options.faultEvery * 1_000, log: say }),
    ]);
    healAll(stack);
    const decided = await decideWhatTheOutsideStillHolds(stack.simulators.urls, random.fork());
    say(
      `load over: ${loadTally.requests} requests; the outside world decided ${decided.length} holds left undecided; waiting for quiescence`,
    );
    const quiet = await untilQuiet();
    say(quiet.reached ? `quiet after ${quiet.waitedMs} ms` : `not quiet after ${quiet.waitedMs} ms`);
    const world = {
      read: stack.pools.read,
      paymentsUrl: stack.simulators.urls.payments,
      lightningUrl: stack.simulators.urls.lightning,
      temporal,
      taskQueue: TASK_QUEUE,
      feeBasisPoints: basisPoints(CHAOS_WINDOWS.PLATFORM_FEE),
    };
    const rows = [...(await checkInvariants(world)), ...harnessRows(stack, load, loadTally, quiet)];
    const orders = await orderFigures(stack.pools.read);

    say(`fuzz: ${options.fuzzRequests} requests from /openapi.json; the relay stopped, the worker replaced by one without activities`);
    await stack.processes.worker.stop();
    await stack.processes.relay.stop();
    const workflowOnly = await startWorkflowOnlyWorker({
      address: stack.temporalAddress,
      namespace: 'default',
      taskQueue: TASK_QUEUE,
      workflowBundlePath: stack.workflowBundlePath,
    });
    const fuzz = await runFuzz(
      {
        apiUrl: stack.apiUrl,
        authSecret: DEV_SECRETS.AUTH_SECRET,
        webhookSecrets: {
          payments: DEV_SECRETS.PAYMENTS_WEBHOOK_SECRET,
          carrier: DEV_SECRETS.CARRIER_WEBHOOK_SECRET,
          lightning: DEV_SECRETS.LIGHTNING_WEBHOOK_SECRET,
        },
        customers: load.customers,
        resources: load.resources,
        fingerprint: walGatedFingerprint(stack.pools.read),
        // With the relay stopped and no activities, nothing else writes: a request's footprint is what it wrote.
        settle: async () => {},
        idempotencyRows: async () => (await stack.pools.read.query('SELECT count(*)::int AS n FROM idempotency_keys')).rows[0].n,
      },
      { seed: options.seed, requests: options.fuzzRequests, log: say },
    );
    await workflowOnly.stop();
    await stack.processes.worker.start();
    await stack.processes.relay.start();
    say('fuzz over; letting what it set going settle');
    const quietAfterFuzz = await untilQuiet();
    const after = (await checkInvariants(world)).map((row) => ({ ...row, name: `${row.name} (after the fuzz)` }));
    rows.push(...after, {
      name: 'quiet again after the fuzz',
      checked: 1,
      violations: quietAfterFuzz.reached ? [] : quietDescription(quietAfterFuzz),
    });
    rows.push(...fuzzRows(fuzz));
    const sagas = await countSagasByType(temporal, TASK_QUEUE);
    const selfExits = Object.fromEntries(Object.values(stack.processes).map((p) => [p.name, p.unexpectedExits]));
    const violations = rows.reduce((total, row) => total + row.violations.length, 0);
    return { seed: options.seed, dataDir, load, loadTally, faults, sagas, orders, quiet, rows, fuzz, selfExits, violations };
  } finally {
    await connection.close().catch(() => {});
    await stack.stop();
    if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true, maxRetries: 3 });
  }
}

/**
 * Sagas that may still run at quiescence: an auction's closing timer or a campaign's saga
 * whose end lies ahead (the fuzz makes both with far ends), and diagnostic pings, which
 * end on their own minute-long timer.
 */
function parkedLegitimately(stack: ChaosStack) {
  return async (workflowId: string, type: string): Promise<boolean> => {
    if (type === 'diagnosticPing') return true;
    const waitingForEnd: Record<string, { prefix: RegExp; table: string }> = {
      auctionClosing: { prefix: /^auction-closing-/, table: 'auctions' },
      campaign: { prefix: /^campaign-/, table: 'campaigns' },
    };
    const waits = waitingForEnd[type];
    if (!waits) return false;
    const { rows } = await stack.pools.read.query(
      `SELECT 1 FROM ${waits.table} WHERE id::text = $1 AND status = 'open' AND ends_at > now()`,
      [workflowId.replace(waits.prefix, '')],
    );
    return rows.length > 0;
  };
}

function quietDescription(quiet: Quiet): string[] {
  return [
    ...quiet.stillRunning.map((saga) => `still running after ${quiet.waitedMs} ms: ${saga}`),
    ...(quiet.undispatchedOutbox !== 0 ? [`${quiet.undispatchedOutbox} outbox rows never dispatched`] : []),
    ...(quiet.webhooksInFlight > 0 ? [`${quiet.webhooksInFlight} webhooks never delivered`] : []),
  ];
}

/** What the harness itself saw: sagas that never ended, webhooks the API refused, answers no customer should get. */
function harnessRows(stack: ChaosStack, load: LoadResult, tally: ReturnType<typeof newTally>, quiet: Quiet): InvariantRow[] {
  return [
    { name: 'every saga ended or waits on a legitimate timer', checked: 1, violations: quiet.reached ? [] : quietDescription(quiet) },
    {
      name: 'every signed webhook accepted (2xx)',
      checked: stack.webhooks.counts.deliveries,
      violations: stack.webhooks.refused.map((r) => `${r.path} ${r.event}: ${r.status} ${r.body}`),
    },
    { name: 'customers got only the answers the API promises', checked: tally.requests, violations: tally.surprises },
    { name: 'every customer call answered within 90 s of retrying', checked: tally.requests, violations: tally.gaveUp },
    { name: 'no scenario broke off', checked: Object.values(load.scenarios).reduce((a, b) => a + b, 0), violations: load.crashed },
  ];
}

function fuzzRows(fuzz: FuzzReport): InvariantRow[] {
  const lines = (list: FuzzReport['serverErrors']) =>
    list.map((s) => `#${s.index} ${s.method} ${s.path.slice(0, 160)} -> ${s.status}: ${s.note} | ${s.excerpt}`);
  return [
    { name: 'fuzz: no 5xx', checked: fuzz.sent, violations: lines(fuzz.serverErrors) },
    { name: "fuzz: other customers' resources answered 403/404", checked: fuzz.idorAttempts, violations: lines(fuzz.idorLeaks) },
    { name: 'fuzz: a refused request changed nothing', checked: fuzz.sent, violations: lines(fuzz.refusedChanges) },
  ];
}
