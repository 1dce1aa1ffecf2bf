import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import { SEARCH_ATTRIBUTES } from '../../../workflows/search-attributes.ts';
import { resolveTemporalCli } from './temporal-cli.ts';
import { freePort } from './free-port.ts';
import { PortTakenError } from './ports.ts';
import { StartFailed, waitFor } from './wait-for.ts';
import { startSupervised } from './supervised-process.ts';

export interface TemporalServerHandle {
  /** gRPC frontend, host:port. */
  address: string;
  /** HTTP API, host:port (for the fetch-only gateway). */
  httpAddress: string;
  /** Web UI URL, when not headless. */
  uiUrl?: string;
  namespace: string;
  /** The server process (the benches read its CPU time); unknown when the SDK's download runs it. */
  pid?: number;
  stop(): Promise<void>;
}

export interface TemporalServerOptions {
  port: number;
  httpPort: number;
  /** Omit for a headless server (tests). */
  uiPort?: number;
  /** SQLite file that keeps workflows between runs; omit for in-memory. */
  dbFile?: string;
  /** Where the server's own log goes. */
  logFile: string;
  progress: (line: string) => void;
  /** Where the server records itself for the next start's reaper (default `.data/run`). */
  runDir?: string;
  /**
   * One partition per task queue instead of four (the benchmarks). With four, a task now
   * and then reached a partition with no poller waiting and sat there until forwarded,
   * 30-45 ms in the latency bench, for whole halves of a run. Tests and `npm run dev` keep
   * the default: a clean-clone test run with one partition lost the server's SQLite
   * store mid-run (GetNamespace "interrupted (9)"), not shown to be caused by it, but
   * not worth the risk where latency is not measured.
   */
  singlePartition?: boolean;
  /**
   * How often the history service's task queues checkpoint (the server's default: 30 s).
   * The dev server has one history shard, so every task goes through one queue per kind,
   * and its reader keeps every task since the last checkpoint and walks that list each
   * time new tasks arrive. Under the benches' load the server's CPU per saga doubled in
   * the later part of each 30 s, on either side, at random points of a run (seen with
   * `perf`: `executableTracker.split`). A 1 s checkpoint keeps the list short. Benches only.
   */
  queueCheckpointInterval?: `${number}s`;
  /** The settings that choose each port, named when a port is taken. */
  portSettings?: { port?: string; httpPort?: string; uiPort?: string };
}

/**
 * Starts the Temporal CLI dev server (a real Temporal server with its Web UI) and waits
 * until its HTTP API answers. Falls back to the SDK's own download of the dev server
 * when no CLI can be found or built (that needs the download host to be reachable).
 */
export async function startTemporalDevServer(options: TemporalServerOptions): Promise<TemporalServerHandle> {
  const namespace = 'default';
  const cli = await resolveTemporalCli(options.progress);
  // Flags every way of starting the server shares; the SDK fallback sets ports and UI itself.
  const common = [
    '--http-port',
    String(options.httpPort),
    '--metrics-port',
    String(await freePort()),
    '--log-level',
    'warn',
    ...(options.singlePartition
      ? [
          '--dynamic-config-value',
          'matching.numTaskqueueReadPartitions=1',
          '--dynamic-config-value',
          'matching.numTaskqueueWritePartitions=1',
        ]
      : []),
    ...(options.queueCheckpointInterval
      ? ['transfer', 'visibility', 'timer'].flatMap((queue) => [
          '--dynamic-config-value',
          `history.${queue}ProcessorUpdateAckInterval="${options.queueCheckpointInterval}"`,
        ])
      : []),
    ...Object.entries(SEARCH_ATTRIBUTES).flatMap(([name, type]) => ['--search-attribute', `${name}=${type}`]),
  ];
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(options.port),
    '--namespace',
    namespace,
    ...(options.uiPort ? ['--ui-port', String(options.uiPort)] : ['--headless']),
    ...(options.dbFile ? ['--db-filename', options.dbFile] : []),
    ...common,
  ];
  if (!cli) return startWithSdkDownload(options, namespace, common);

  if (options.dbFile) mkdirSync(dirname(options.dbFile), { recursive: true });
  const server = await startSupervised({
    name: 'Temporal dev server',
    command: cli,
    args,
    ports: [
      { port: options.port, role: 'Temporal gRPC', setting: options.portSettings?.port },
      { port: options.httpPort, role: 'Temporal HTTP API', setting: options.portSettings?.httpPort },
      ...(options.uiPort ? [{ port: options.uiPort, role: 'Temporal Web UI', setting: options.portSettings?.uiPort }] : []),
    ],
    output: { logFile: options.logFile },
    runDir: options.runDir,
    progress: options.progress,
  });
  options.progress(`Temporal dev server: pid ${server.pid}, log ${options.logFile}`);
  const httpAddress = `127.0.0.1:${options.httpPort}`;
  try {
    await waitFor('Temporal dev server', async () => {
      if (server.hasExited()) throw new StartFailed(`temporal exited; see ${options.logFile}`);
      const response = await fetch(`http://${httpAddress}/api/v1/namespaces/${namespace}`);
      await response.body?.cancel();
      return response.ok;
    });
  } catch (error) {
    await server.crash();
    throw new Error(`${(error as Error).message} (log: ${options.logFile})`, { cause: error });
  }
  const handle = {
    address: `127.0.0.1:${options.port}`,
    httpAddress,
    uiUrl: options.uiPort ? `http://127.0.0.1:${options.uiPort}` : undefined,
    namespace,
    pid: server.pid,
    stop: () => server.stop(),
  };
  const mismatch = await searchAttributeMismatch(httpAddress, namespace);
  if (mismatch.length > 0) {
    await handle.stop();
    throw new Error(
      `the Temporal state in ${options.dbFile ?? 'memory'} registers search attributes with other types than the platform uses ` +
        `(${mismatch.join('; ')}). It was made by an older version: delete that file to start afresh.`,
    );
  }
  return handle;
}

/**
 * Starts the dev server on ports chosen here, for launchers that do not care which
 * (the test setup, benchmarks, chaos). A port free when chosen can be taken before the
 * server binds it, by another launcher starting at the same moment; the server then dies
 * with "address already in use". That start is tried again on newly chosen ports, up to
 * `attempts` times; its log is kept beside as `<logFile>.<n>`.
 */
export async function startTemporalDevServerOnFreePorts(
  options: Omit<TemporalServerOptions, 'port' | 'httpPort' | 'uiPort'>,
  { choosePort = freePort, attempts = 3 }: { choosePort?: () => Promise<number>; attempts?: number } = {},
): Promise<TemporalServerHandle> {
  for (let attempt = 1; ; attempt++) {
    const ports = { port: await choosePort(), httpPort: await choosePort() };
    try {
      return await startTemporalDevServer({ ...options, ...ports });
    } catch (error) {
      if (attempt >= attempts || !lostAPortRace(error, options.logFile)) throw error;
      if (existsSync(options.logFile)) renameSync(options.logFile, `${options.logFile}.${attempt}`);
      options.progress(`Temporal dev server: a port (${ports.port} or ${ports.httpPort}) was already in use; trying again on others`);
    }
  }
}

function lostAPortRace(error: unknown, logFile: string): boolean {
  if (error instanceof PortTakenError) return true;
  return existsSync(logFile) && readFileSync(logFile, 'utf8').includes('address already in use');
}

/**
 * A persisted dev-server state keeps the attribute types it was first started with, and
 * silently ignores new ones; sagas would then fail to start. Returns what differs.
 */
async function searchAttributeMismatch(httpAddress: string, namespace: string): Promise<string[]> {
  const response = await fetch(`http://${httpAddress}/api/v1/namespaces/${namespace}/search-attributes`);
  const { customAttributes = {} } = (await response.json()) as { customAttributes?: Record<string, string> };
  const wanted = (type: string) => `INDEXED_VALUE_TYPE_${type.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()}`;
  return Object.entries(SEARCH_ATTRIBUTES)
    .filter(([name, type]) => customAttributes[name] !== wanted(type))
    .map(([name, type]) => `${name} is ${customAttributes[name] ?? 'missing'}, wanted ${type}`);
}

async function startWithSdkDownload(options: TemporalServerOptions, namespace: string, extraArgs: string[]): Promise<TemporalServerHandle> {
  options.progress("Temporal CLI: falling back to the SDK's download of the dev server");
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      ip: '127.0.0.1',
      port: options.port,
      namespace,
      ui: Boolean(options.uiPort),
      uiPort: options.uiPort,
      dbFilename: options.dbFile,
      extraArgs,
    },
  });
  return {
    address: `127.0.0.1:${options.port}`,
    httpAddress: `127.0.0.1:${options.httpPort}`,
    uiUrl: options.uiPort ? `http://127.0.0.1:${options.uiPort}` : undefined,
    namespace,
    stop: () => env.teardown(),
  };
}
