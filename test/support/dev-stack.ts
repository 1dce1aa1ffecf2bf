import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../src/platform/launch/free-port.ts';
import { acceptsConnections } from '../../src/platform/launch/ports.ts';
import { commandLineOf, isRunning } from '../../src/platform/launch/processes.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The ports one `npm run dev` listens on, by the setting that chooses each. */
export type DevPorts = Record<
  | 'DEV_POSTGRES_PORT'
  | 'DEV_TEMPORAL_PORT'
  | 'DEV_TEMPORAL_HTTP_PORT'
  | 'DEV_TEMPORAL_UI_PORT'
  | 'PORT'
  | 'PAYMENTS_SIM_PORT'
  | 'CARRIER_SIM_PORT'
  | 'LIGHTNING_SIM_PORT'
  | 'WORKER_METRICS_PORT'
  | 'RELAY_METRICS_PORT',
  number
>;

export async function freeDevPorts(): Promise<DevPorts> {
  const settings = [
    'DEV_POSTGRES_PORT',
    'DEV_TEMPORAL_PORT',
    'DEV_TEMPORAL_HTTP_PORT',
    'DEV_TEMPORAL_UI_PORT',
    'PORT',
    'PAYMENTS_SIM_PORT',
    'CARRIER_SIM_PORT',
    'LIGHTNING_SIM_PORT',
    'WORKER_METRICS_PORT',
    'RELAY_METRICS_PORT',
  ] as const;
  const taken = new Set<number>();
  const ports = {} as DevPorts;
  for (const setting of settings) {
    let port = await freeFixedPort();
    while (taken.has(port)) port = await freeFixedPort();
    taken.add(port);
    ports[setting] = port;
  }
  return ports;
}

/**
 * A free port below the OS's ephemeral range, for a launcher to bind some seconds later.
 * A port the OS chose (port 0) comes from that range, where every outgoing connection and
 * every other port-0 listener in the run takes its port too: by the time the launcher got
 * to its simulators, one such port had been taken (a clean-clone CI run failed on
 * EADDRINUSE so). Below the range, only another test choosing the same way can collide.
 */
async function freeFixedPort(): Promise<number> {
  const lowestEphemeral = ephemeralRangeStart();
  if (lowestEphemeral === undefined) return freePort();
  for (;;) {
    const port = 10_000 + Math.floor(Math.random() * (lowestEphemeral - 10_000));
    if (await canListen(port)) return port;
  }
}

/** Linux's first ephemeral port, or undefined elsewhere or when the range leaves no room below it. */
function ephemeralRangeStart(): number | undefined {
  try {
    const start = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(start) && start > 11_000 ? start : undefined;
  } catch {
    return undefined;
  }
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export interface DevStack {
  launcher: ChildProcess;
  startedAt: number;
  apiUrl: string;
  output(): string;
  /** Resolves when the output matches; rejects if the launcher exits first. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** The servers' pids, as the launcher announced them so far. */
  serverPids(): number[];
  /** SIGKILL to the launcher's whole process group: a crash, an OOM kill, a closed laptop. */
  killGroup(): void;
  exited: Promise<number | null>;
}

/**
 * `npm run dev` (the same entry point) as its own process group, on the given ports and
 * data directory, so a test can kill it the way a crash does and look at what is left.
 */
export function startDevStack(ports: DevPorts, dataDir: string): DevStack {
  const env: NodeJS.ProcessEnv = { ...process.env, DEV_DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
  for (const [name, port] of Object.entries(ports)) env[name] = String(port);
  // The suite's own settings must not leak into this stack: it runs on the dev defaults.
  for (const name of [
    'AUTH_SECRET',
    'DATABASE_URL',
    'TEMPORAL_ADDRESS',
    'TEMPORAL_HTTP_ADDRESS',
    'PAYMENTS_PROVIDER_URL',
    'CARRIER_URL',
    'LIGHTNING_NODE_URL',
  ])
    delete env[name];
  const launcher = spawn(process.execPath, ['--import', 'tsx', 'src/main/dev.ts'], {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    text += chunk.toString();
    for (const listener of listeners) listener();
  };
  launcher.stdout?.on('data', onData);
  launcher.stderr?.on('data', onData);
  const exited = new Promise<number | null>((resolve) => launcher.once('exit', (code) => resolve(code)));
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
    for (const listener of listeners) listener();
  });
  return {
    launcher,
    startedAt: Date.now(),
    apiUrl: `http://127.0.0.1:${ports.PORT}`,
    output: () => text,
    exited,
    serverPids: () => [...text.matchAll(/(?:PostgreSQL|Temporal dev server): pid (\d+)/g)].map((match) => Number(match[1])),
    killGroup: () => process.kill(-launcher.pid!, 'SIGKILL'),
    waitForOutput(pattern, timeoutMs = 120_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => finish(new Error(`no ${pattern} within ${timeoutMs} ms:\n${text}`)), timeoutMs);
        const check = () => {
          const match = text.match(pattern);
          if (match) finish(undefined, match);
          else if (hasExited) finish(new Error(`the launcher exited before ${pattern}:\n${text}`));
        };
        const finish = (error?: Error, match?: RegExpMatchArray) => {
          clearTimeout(timer);
          listeners.delete(check);
          if (error) reject(error);
          else resolve(match!);
        };
        listeners.add(check);
        check();
      });
    },
  };
}

/**
 * Polls until no port accepts connections and no pid is alive; returns how long that
 * took, or throws after `withinMs` naming what is still there.
 */
export async function waitUntilGone(ports: number[], pids: number[], withinMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    const listening = (await Promise.all(ports.map(async (port) => ((await acceptsConnections(port, 200)) ? port : undefined)))).filter(
      (port) => port !== undefined,
    );
    const alive = pids.filter(isRunning);
    if (listening.length === 0 && alive.length === 0) return Date.now() - started;
    if (Date.now() - started > withinMs) {
      throw new Error(`after ${withinMs} ms still listening: [${listening.join(', ')}], still alive: [${alive.join(', ')}]`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Pids of the processes whose command line contains every one of `parts` (Linux /proc). */
export function processesRunning(...parts: string[]): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => {
      const commandLine = commandLineOf(pid);
      return commandLine !== undefined && parts.every((part) => commandLine.includes(part)) && isRunning(pid);
    });
}
