/**
 * Do the main reads and a bid stay fast as the tables grow? The same API process (the
 * real `src/main/api.ts`, its own process) is measured with about 10k rows in the big
 * tables, then again after seeding them to full size: 1M bids over 100k auctions, 1.1M
 * event-store rows (each auction's history), 100k customers with SAT accounts and a
 * deposit posting each. Per operation, `ratio=` small-table p99 ÷ full-size p99; the
 * last line is the worst. Also printed: row counts, the plan of every statement each
 * request runs (index or Seq Scan), and the resident memory of the API, the worker and
 * the outbox relay, each a separate process as in production.
 *
 * `SCALE_AUCTIONS` (default 100000; customers as many, bids ten per auction),
 * `SCALE_SMALL_AUCTIONS` (1000) and `SCALE_SAMPLES` (requests per operation and size,
 * default 1000) make quick runs possible.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../src/kernel/clock.ts';
import { ROUTES } from '../src/main/routes.ts';
import { loadConfig } from '../src/platform/config/config.ts';
import { createPools } from '../src/platform/db/pools.ts';
import { createApp } from '../src/platform/http/app.ts';
import { issueToken } from '../src/platform/http/auth.ts';
import { freePort } from '../src/platform/launch/free-port.ts';
import { silentLogger } from '../src/platform/log.ts';
import { GrpcWorkflowGateway } from '../src/platform/temporal/grpc-workflow-gateway.ts';
import pg from 'pg';
import { describe, ms } from './latency-stats.ts';
import { explainAll, recordStatements, type PlanSummary } from './scale-explain.ts';
import { memoryOf, startPlatformProcess, type PlatformProcess } from './scale-processes.ts';
import { isOpen, rowCounts, seed, seededId, sellerOf } from './scale-seed.ts';
import { benchPostgres, benchTemporalServer } from './support.ts';

const AUCTIONS = Number(process.env.SCALE_AUCTIONS ?? 100_000);
const SMALL_AUCTIONS = Number(process.env.SCALE_SMALL_AUCTIONS ?? 1_000);
const SAMPLES = Number(process.env.SCALE_SAMPLES ?? 1_000);
const WARM_UP = Math.min(100, SAMPLES);
/** A Seq Scan on a table with more rows than this is flagged. */
const BIG_TABLE_ROWS = 10_000;

type Operation =
  'GET /auctions/:id' | 'GET /auctions' | 'GET /customers/:id/dashboard' | 'GET /auctions/:id/events' | 'POST /auctions/:id/bids';
const OPERATIONS: Operation[] = [
  'GET /auctions/:id',
  'GET /auctions',
  'GET /customers/:id/dashboard',
  'GET /auctions/:id/events',
  'POST /auctions/:id/bids',
];

export async function run(): Promise<void> {
  console.log(
    `scale: p99 of the main reads and a bid with ${SMALL_AUCTIONS} auctions vs ${AUCTIONS} ` +
      `(10 bids and 11 events each, as many customers), ${SAMPLES} requests per operation and size`,
  );
  const postgres = await benchPostgres();
  const root = mkdtempSync(join(tmpdir(), 'platform-bench-scale-'));
  const temporal = await benchTemporalServer(root);
  const admin = new pg.Pool({ connectionString: postgres.url, max: 2 });
  const config = loadConfig({ TEMPORAL_TASK_QUEUE: 'bench-scale', LOG_LEVEL: 'warn' });
  const processes: PlatformProcess[] = [];
  const explainPools = createPools(postgres.url, { max: 4, applicationName: 'bench-explain' });
  const recorder = recordStatements(explainPools);
  const workflows = await GrpcWorkflowGateway.connect(temporal.address, temporal.namespace);
  try {
    let seeded = 0;
    const grow = async (to: number) => {
      const started = performance.now();
      const timings = await seed(admin, seeded, to, to);
      seeded = to;
      console.log(
        `seeded to ${to} auctions in ${((performance.now() - started) / 1000).toFixed(1)} s (` +
          Object.entries(timings)
            .map(([table, s]) => `${table} ${s.toFixed(1)} s`)
            .join(', ') +
          ')',
      );
      const counts = await rowCounts(admin);
      console.log(
        `rows: ${Object.entries(counts)
          .map(([t, n]) => `${t} ${n.toLocaleString('en')}`)
          .join(', ')}`,
      );
      return counts;
    };

    await grow(SMALL_AUCTIONS);

    const apiPort = await freePort();
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const env = {
      DATABASE_URL: postgres.url,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: temporal.namespace,
      TEMPORAL_TASK_QUEUE: config.TEMPORAL_TASK_QUEUE,
      PORT: String(apiPort),
    };
    for (const name of ['api', 'worker', 'relay'] as const) {
      const started = performance.now();
      processes.push(
        await startPlatformProcess({
          name,
          env,
          root,
          probe: async () => (await fetch(`${apiUrl}/health`)).ok,
        }),
      );
      console.log(`${name} up in ${((performance.now() - started) / 1000).toFixed(1)} s (pid ${processes.at(-1)!.pid})`);
    }
    const rssAtStart = Object.fromEntries(processes.map((p) => [p.name, memoryOf(p.pid).rssMb]));

    const tokens = new Map<number, string>();
    const tokenOf = async (customer: number) => {
      let token = tokens.get(customer);
      if (!token) tokens.set(customer, (token = await issueToken(config.AUTH_SECRET, seededId('customer', customer))));
      return token;
    };
    let bidMinor = 1_000_000; // above every seeded price, and rising, so every bid leads
    const random = (n: number) => Math.floor(Math.random() * n);
    const randomOpen = (auctions: number) => random(Math.ceil(auctions / 10)) * 10;
    /** Which customers count sellers is fixed when the auction was seeded. */
    const customersWhenSeeded = (auction: number) => (auction < SMALL_AUCTIONS ? SMALL_AUCTIONS : AUCTIONS);

    /** One request of the operation, against auctions and customers numbered below `size`. */
    const request = async (operation: Operation, size: number): Promise<Request> => {
      const auction = random(size);
      switch (operation) {
        case 'GET /auctions/:id':
          return new Request(`${apiUrl}/auctions/${seededId('auction', auction)}`);
        case 'GET /auctions':
          return new Request(`${apiUrl}/auctions`);
        case 'GET /customers/:id/dashboard': {
          const customer = random(size);
          return new Request(`${apiUrl}/customers/${seededId('customer', customer)}/dashboard`, {
            headers: { authorization: `Bearer ${await tokenOf(customer)}` },
          });
        }
        case 'GET /auctions/:id/events': {
          const seller = sellerOf(auction, customersWhenSeeded(auction));
          return new Request(`${apiUrl}/auctions/${seededId('auction', auction)}/events`, {
            headers: { authorization: `Bearer ${await tokenOf(seller)}` },
          });
        }
        case 'POST /auctions/:id/bids': {
          const open = randomOpen(size);
          const seller = sellerOf(open, customersWhenSeeded(open));
          let bidder = random(size);
          if (bidder === seller) bidder = (bidder + 1) % size;
          const minor = ++bidMinor;
          return new Request(`${apiUrl}/auctions/${seededId('auction', open)}/bids`, {
            method: 'POST',
            headers: { authorization: `Bearer ${await tokenOf(bidder)}`, 'content-type': 'application/json' },
            body: JSON.stringify({
              amount: { amount: `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}`, currency: 'USD' },
            }),
          });
        }
      }
    };

    /**
     * The operations take turns, one request each, so a passing disturbance on this shared
     * machine (another process, a checkpoint) lands on all of them alike, not on whichever
     * one happened to be running.
     */
    const measure = async (size: number): Promise<Record<Operation, number[]>> => {
      const latencies = Object.fromEntries(OPERATIONS.map((operation) => [operation, [] as number[]])) as Record<Operation, number[]>;
      for (let i = 0; i < WARM_UP + SAMPLES; i++) {
        for (const operation of OPERATIONS) {
          // Built before the clock starts: token signing is the client's cost, not the API's.
          const req = await request(operation, size);
          const started = performance.now();
          const response = await fetch(req);
          await response.arrayBuffer();
          const elapsed = performance.now() - started;
          if (response.status >= 300) throw new Error(`${operation} answered ${response.status} at size ${size}`);
          if (i >= WARM_UP) latencies[operation].push(elapsed);
        }
      }
      for (const operation of OPERATIONS) {
        const d = describe(latencies[operation]);
        console.log(`  ${operation.padEnd(30)} p50 ${ms(d.p50)}, p99 ${ms(d.p99)}, max ${ms(d.max)}`);
      }
      return latencies;
    };

    console.log(`at ${SMALL_AUCTIONS} auctions:`);
    const small = await measure(SMALL_AUCTIONS);
    const counts = await grow(AUCTIONS);
    console.log(`at ${AUCTIONS} auctions:`);
    const large = await measure(AUCTIONS);
    const rss = Object.fromEntries(processes.map((p) => [p.name, memoryOf(p.pid)]));

    // The plans at full size, of the statements each request runs in the real app.
    const app = createApp({ config, pools: explainPools, workflows, clock: systemClock, logger: silentLogger }, ROUTES);
    const bigTables = new Set(
      Object.entries(counts)
        .filter(([, n]) => n > BIG_TABLE_ROWS)
        .map(([t]) => t),
    );
    console.log(
      `plans at ${AUCTIONS} auctions (EXPLAIN ANALYZE of each statement the request ran; big tables: ${[...bigTables].join(', ')}):`,
    );
    const flagged: string[] = [];
    for (const operation of OPERATIONS) {
      const req = await request(operation, AUCTIONS);
      const { result, statements } = await recorder.during(async () => {
        const response = await app.request(req.url.replace(apiUrl, ''), {
          method: req.method,
          headers: req.headers,
          ...(req.method === 'POST' ? { body: await req.text() } : {}),
        });
        await response.arrayBuffer();
        return response.status;
      });
      if (result >= 300) throw new Error(`${operation} answered ${result} in the explain app`);
      const plans: PlanSummary[] = await explainAll(explainPools.write, statements, bigTables);
      console.log(`  ${operation}:`);
      for (const plan of plans) {
        const seq = plan.bigSeqScans.length > 0 ? '  <-- SEQ SCAN ON A BIG TABLE' : '';
        console.log(`    ${plan.statement.slice(0, 110)}${plan.statement.length > 110 ? '…' : ''}`);
        console.log(
          `      ${plan.scans.join('; ') || 'no table scanned'} (${plan.analyzed ? `${plan.ms!.toFixed(2)} ms` : 'planned only'})${seq}`,
        );
        if (seq) flagged.push(`${operation}: ${plan.bigSeqScans.join(', ')} in ${plan.statement.slice(0, 80)}…`);
      }
    }
    console.log(flagged.length ? `Seq Scans on big tables:\n  ${flagged.join('\n  ')}` : 'no Seq Scan on a big table');

    console.log('resident memory after the load (VmRSS, peak VmHWM), each its own process:');
    for (const p of processes) {
      console.log(
        `  ${p.name.padEnd(6)} ${rss[p.name]!.rssMb.toFixed(0)} MB (peak ${rss[p.name]!.peakMb.toFixed(0)} MB; ${rssAtStart[p.name]!.toFixed(0)} MB at start)`,
      );
    }

    const ratios = OPERATIONS.map((operation) => {
      const ratio = describe(small[operation]).p99 / describe(large[operation]).p99;
      return { operation, ratio };
    });
    for (const { operation, ratio } of ratios) console.log(`${operation}: ratio=${ratio.toFixed(2)}`);
    const worst = ratios.reduce((a, b) => (b.ratio < a.ratio ? b : a));
    console.log(`worst (${worst.operation}): ratio=${worst.ratio.toFixed(2)}`);
  } finally {
    for (const p of processes.reverse()) await p.stop().catch(() => undefined);
    await workflows.close();
    await explainPools.end();
    await admin.end();
    await temporal.stop();
    await postgres.stop();
    rmSync(root, { recursive: true, force: true });
  }
}
