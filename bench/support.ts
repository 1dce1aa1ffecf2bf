import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { migrate } from '../src/platform/db/migrate.ts';
import { startEmbeddedPostgresOnFreePort } from '../src/platform/launch/embedded-postgres.ts';

/** A throw-away embedded Postgres, migrated, for one benchmark run. */
export async function benchPostgres(): Promise<{ url: string; stop(): Promise<void> }> {
  const root = mkdtempSync(join(tmpdir(), 'platform-bench-'));
  const postgres = await startEmbeddedPostgresOnFreePort({ dataDir: join(root, 'pg'), persistent: false });
  const url = await postgres.createDatabase('bench');
  const pool = new pg.Pool({ connectionString: url });
  await migrate(pool);
  await pool.end();
  return {
    url,
    async stop() {
      await postgres.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** CPU seconds spent so far by this process and by the Temporal server, where they can be read. */
interface CpuSpent {
  node: number;
  server: number | undefined;
}

/**
 * Where a round's CPU went: this process (API, worker, simulators and the bench's client
 * all run in it) and the Temporal server. A contender calls `start()` where its timed part
 * begins, after its set-up. On two cores both sides are CPU-bound, so this says which
 * process a gap comes from. Postgres is not counted (its backends are other processes).
 */
export class CpuMeter {
  #from: CpuSpent | undefined;

  constructor(private readonly serverPid: number | undefined) {}

  start(): void {
    this.#from = this.#spent();
  }

  /** CPU seconds since `start()`. */
  read(): CpuSpent {
    if (!this.#from) throw new Error('CpuMeter.read() before start()');
    const now = this.#spent();
    const server = now.server !== undefined && this.#from.server !== undefined ? now.server - this.#from.server : undefined;
    return { node: now.node - this.#from.node, server };
  }

  #spent(): CpuSpent {
    const { user, system } = process.cpuUsage();
    return { node: (user + system) / 1e6, server: this.#serverSeconds() };
  }

  /** utime + stime of the server process (/proc/<pid>/stat, fields 14 and 15, in clock ticks of 10 ms). */
  #serverSeconds(): number | undefined {
    if (this.serverPid === undefined) return undefined;
    try {
      const fields = readFileSync(`/proc/${this.serverPid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      return undefined; // not Linux, or the server is gone
    }
  }
}

/** Median CPU milliseconds per operation, each side: `node 31 ms + Temporal server 50 ms`. */
export type CpuPerOperation = Record<'ours' | 'baseline', { node: number; server: number | undefined }>;

export function describeCpu(cpu: CpuPerOperation, operation: string): string {
  const side = ({ node, server }: { node: number; server: number | undefined }) =>
    `${node.toFixed(1)} ms in this process` + (server === undefined ? '' : ` + ${server.toFixed(1)} ms in the Temporal server`);
  return `CPU per ${operation}, median round: ours ${side(cpu.ours)}; baseline ${side(cpu.baseline)}`;
}

/**
 * Runs `rounds` alternating measurements of each contender and returns each one's
 * median rate, so a burst of noise on the machine hits both sides alike. With a meter
 * (started by each contender where its timing starts) and the operations in a round, it
 * also returns each side's median CPU per operation.
 */
export async function compare(
  contenders: Record<'ours' | 'baseline', () => Promise<number>>,
  rounds = 5,
  cpu?: { meter: CpuMeter; perRound: number },
): Promise<{ ours: number; baseline: number; ratio: number; cpu?: CpuPerOperation }> {
  const rates: Record<'ours' | 'baseline', number[]> = { ours: [], baseline: [] };
  const spent: Record<'ours' | 'baseline', CpuSpent[]> = { ours: [], baseline: [] };
  for (let round = 0; round < rounds; round++) {
    // Alternate who goes first, so neither always runs on a warmer cache.
    const order: ('ours' | 'baseline')[] = round % 2 === 0 ? ['baseline', 'ours'] : ['ours', 'baseline'];
    for (const side of order) {
      rates[side].push(await contenders[side]());
      if (cpu) spent[side].push(cpu.meter.read());
    }
  }
  const ours = median(rates.ours);
  const baseline = median(rates.baseline);
  // Every round, so a reader sees the spread behind the medians.
  console.log(`rounds (per second): ours ${rates.ours.map((r) => r.toFixed(1)).join(', ')}; baseline ${rates.baseline.map((r) => r.toFixed(1)).join(', ')}`);
  if (!cpu) return { ours, baseline, ratio: ours / baseline };
  const ms = (seconds: number) => (seconds * 1000) / cpu.perRound;
  const roundCpu = (side: 'ours' | 'baseline') =>
    spent[side].map((s) => `${ms(s.node).toFixed(0)}+${s.server === undefined ? '?' : ms(s.server).toFixed(0)}`).join(', ');
  console.log(`rounds (CPU ms per operation, this process + server): ours ${roundCpu('ours')}; baseline ${roundCpu('baseline')}`);
  const perOperation = (side: 'ours' | 'baseline') => {
    const server = spent[side].map((s) => s.server);
    return {
      node: ms(median(spent[side].map((s) => s.node))),
      server: server.every((s) => s !== undefined) ? ms(median(server as number[])) : undefined,
    };
  };
  return { ours, baseline, ratio: ours / baseline, cpu: { ours: perOperation('ours'), baseline: perOperation('baseline') } };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Runs `work` `total` times in all, by `concurrency` loops side by side; each call gets
 * its loop's number, so a loop can own a resource. Returns completions per second.
 */
export async function throughput(total: number, concurrency: number, work: (loop: number) => Promise<void>): Promise<number> {
  let claimed = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, loop) => {
      while (claimed++ < total) await work(loop);
    }),
  );
  return total / ((performance.now() - started) / 1000);
}

/**
 * The benches' Temporal dev server, its log in `root`: one partition per task queue, so
 * a task never waits to be forwarded to the partition the worker polls, and its history
 * queues checkpointed every second, so their cost per task does not climb for half of
 * every 30 s (src/platform/launch/temporal-dev-server.ts, `singlePartition`,
 * `queueCheckpointInterval`).
 */
export async function benchTemporalServer(root: string) {
  const { startTemporalDevServerOnFreePorts } = await import('../src/platform/launch/temporal-dev-server.ts');
  return startTemporalDevServerOnFreePorts({
    logFile: join(root, 'temporal.log'),
    progress: (line) => console.log(line),
    singlePartition: true,
    queueCheckpointInterval: '1s',
  });
}

/**
 * A throw-away Temporal dev server, the bench worker (bench/worker.ts) on it over the given database, and a client.
 * `env` adds configuration (the simulators' ports, say) for the worker's activities.
 */
export async function benchTemporal(databaseUrl: string, env: Record<string, string> = {}) {
  const { NativeConnection } = await import('@temporalio/worker');
  const { configureWorkerRuntime } = await import('../worker.ts');
  const { createBenchWorker } = await import('./worker.ts');
  const { GrpcWorkflowGateway } = await import('../src/platform/temporal/grpc-workflow-gateway.ts');
  const { createPools } = await import('../src/platform/db/pools.ts');
  const { loadConfig } = await import('../src/platform/config/config.ts');
  const root = mkdtempSync(join(tmpdir(), 'platform-bench-temporal-'));
  const temporal = await benchTemporalServer(root);
  const config = loadConfig({ TEMPORAL_TASK_QUEUE: 'bench', LOG_LEVEL: 'warn', ...env });
  // The worker polls the queue the configuration names, which is where the API starts sagas.
  const taskQueue = config.TEMPORAL_TASK_QUEUE;
  const pools = createPools(databaseUrl, { max: 20, applicationName: 'bench' });
  configureWorkerRuntime({ handleSignals: false });
  const connection = await NativeConnection.connect({ address: temporal.address });
  const worker = await createBenchWorker({ connection, namespace: temporal.namespace, taskQueue, pools, config });
  const running = worker.run();
  const gateway = await GrpcWorkflowGateway.connect(temporal.address, temporal.namespace);
  return {
    client: gateway.client,
    gateway,
    config,
    pools,
    taskQueue,
    cpu: new CpuMeter(temporal.pid),
    async stop() {
      worker.shutdown();
      await running;
      await connection.close();
      await gateway.close();
      await pools.end();
      await temporal.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** What a set of workflow histories did, summed: the shape a saga and its baseline must share. */
export interface HistoryShape {
  workflows: number;
  activities: number;
  signals: number;
  children: number;
  timers: number;
  workflowTasks: number;
  searchAttributeUpserts: number;
  /** Failed or timed-out activity attempts and workflow tasks, and attempts after the first: each one named. */
  failures: string[];
  /** Per activity type: milliseconds from scheduled to completed, each attempt's. */
  activityMs: Map<string, number[]>;
}

/**
 * Reads the histories of the given workflows and sums what they did. A bench times a
 * saga against a baseline of the same shape, and this is how it shows that they were,
 * and that nothing in the timed runs failed or was retried.
 */
export async function historyShape(
  client: { workflow: { getHandle(id: string): { fetchHistory(): Promise<{ events?: HistoryEvent[] | null }> } } },
  workflowIds: readonly string[],
): Promise<HistoryShape> {
  const shape: HistoryShape = {
    workflows: 0,
    activities: 0,
    signals: 0,
    children: 0,
    timers: 0,
    workflowTasks: 0,
    searchAttributeUpserts: 0,
    failures: [],
    activityMs: new Map(),
  };
  const at = (event: HistoryEvent) => Number(event.eventTime?.seconds ?? 0) * 1000 + (event.eventTime?.nanos ?? 0) / 1e6;
  for (const id of workflowIds) {
    const { events } = await client.workflow.getHandle(id).fetchHistory();
    shape.workflows++;
    const scheduled = new Map<string, { type: string; at: number }>();
    for (const event of events ?? []) {
      const scheduledActivity = event.activityTaskScheduledEventAttributes;
      if (scheduledActivity) {
        shape.activities++;
        scheduled.set(String(event.eventId), { type: scheduledActivity.activityType?.name ?? '?', at: at(event) });
      }
      const started = event.activityTaskStartedEventAttributes;
      if (started && (started.attempt ?? 1) > 1) shape.failures.push(`${id}: an activity ran ${started.attempt} attempts`);
      const completed = event.activityTaskCompletedEventAttributes;
      if (completed) {
        const from = scheduled.get(String(completed.scheduledEventId));
        if (from) {
          const list = shape.activityMs.get(from.type) ?? [];
          list.push(at(event) - from.at);
          shape.activityMs.set(from.type, list);
        }
      }
      if (event.activityTaskFailedEventAttributes)
        shape.failures.push(`${id}: activity failed: ${event.activityTaskFailedEventAttributes.failure?.message}`);
      if (event.activityTaskTimedOutEventAttributes) shape.failures.push(`${id}: activity timed out`);
      if (event.workflowTaskFailedEventAttributes)
        shape.failures.push(`${id}: workflow task failed: ${event.workflowTaskFailedEventAttributes.failure?.message}`);
      if (event.workflowTaskTimedOutEventAttributes) shape.failures.push(`${id}: workflow task timed out`);
      if (event.workflowExecutionSignaledEventAttributes) shape.signals++;
      if (event.startChildWorkflowExecutionInitiatedEventAttributes) shape.children++;
      if (event.timerStartedEventAttributes) shape.timers++;
      if (event.workflowTaskCompletedEventAttributes) shape.workflowTasks++;
      if (event.upsertWorkflowSearchAttributesEventAttributes) shape.searchAttributeUpserts++;
    }
  }
  return shape;
}

/** Per workflow, the counts that make a shape: `5 activities, 1 signal, …`. */
export function describeShape(shape: HistoryShape, per: number): string {
  const each = (n: number) => (n / per).toFixed(n % per === 0 ? 0 : 1);
  return (
    `${each(shape.activities)} activities, ${each(shape.signals)} signals, ${each(shape.children)} child workflows, ` +
    `${each(shape.timers)} timers, ${each(shape.workflowTasks)} workflow tasks, ${each(shape.searchAttributeUpserts)} search-attribute upserts`
  );
}

/** Median ms per activity type, slowest first: where a saga's time goes. */
export function describeActivityTimes(shape: HistoryShape): string {
  return [...shape.activityMs.entries()]
    .map(([type, ms]) => ({ type, ms: median(ms) }))
    .sort((a, b) => b.ms - a.ms)
    .map(({ type, ms }) => `${type} ${ms.toFixed(0)} ms`)
    .join(', ');
}

/** The bench compares like with like, and nothing in the last round failed or was retried; else it fails. */
export function assertSameShape(
  ours: HistoryShape,
  baseline: HistoryShape,
  keys: readonly ('workflows' | 'activities' | 'signals' | 'children' | 'timers')[] = [
    'workflows',
    'activities',
    'signals',
    'children',
    'timers',
  ],
): void {
  const problems = [...ours.failures.slice(0, 5), ...baseline.failures.slice(0, 5)];
  for (const key of keys) {
    if (ours[key] !== baseline[key]) problems.push(`${key}: saga ${ours[key]}, baseline ${baseline[key]}`);
  }
  if (problems.length > 0) throw new Error(`the saga and its baseline differ, or something failed:\n  ${problems.join('\n  ')}`);
}

type HistoryEvent = import('@temporalio/proto').temporal.api.history.v1.IHistoryEvent;
