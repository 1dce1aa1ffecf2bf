/**
 * The platform's own processes (API, worker, outbox relay) started as production starts
 * them (their npm scripts: `node --import tsx <entry>`, with the worker's V8 flags), each under the launchers' supervisor, so a
 * benchmark can read one process's resident memory on its own (`/proc/<pid>/status`)
 * instead of the sum of everything in the bench's process. Used by `scale` and `memory`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSupervised, type SupervisedProcess } from '../src/platform/launch/supervised-process.ts';
import { StartFailed, waitFor } from '../src/platform/launch/wait-for.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

export type PlatformEntry = 'api' | 'worker' | 'relay';

const ENTRIES: Record<PlatformEntry, { readyLine?: RegExp }> = {
  api: {},
  // The worker bundles its workflows before it polls; that line is the first moment it can take a task.
  worker: { readyLine: /worker polling/ },
  relay: { readyLine: /outbox relay running/ },
};

/**
 * How production starts a process: its npm script (`MALLOC_ARENA_MAX=2 node --max-semi-space-size=2
 * --max-old-space-size=256 --import tsx worker.ts`, say), as the variables it sets and node's arguments.
 */
function startOf(name: PlatformEntry): { env: Record<string, string>; args: string[] } {
  const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const words = scripts[name]!.split(' ');
  const env: Record<string, string> = {};
  while (/^[A-Z_]+=/.test(words[0] ?? '')) {
    const [key, value] = words.shift()!.split('=') as [string, string];
    env[key] = value;
  }
  if (words.shift() !== 'node') throw new Error(`npm run ${name} does not start node: ${scripts[name]}`);
  return { env, args: words };
}

export interface PlatformProcess {
  name: PlatformEntry;
  pid: number;
  logFile: string;
  stop(): Promise<void>;
}

export async function startPlatformProcess(options: {
  name: PlatformEntry;
  env: Record<string, string>;
  /** A throw-away directory for the log and the supervisor's run record. */
  root: string;
  /** For the API: answers once it serves requests. */
  probe?: () => Promise<boolean>;
  timeoutMs?: number;
}): Promise<PlatformProcess> {
  const entry = ENTRIES[options.name];
  const start = startOf(options.name);
  const logFile = join(options.root, `${options.name}.log`);
  const started: SupervisedProcess = await startSupervised({
    name: `bench ${options.name}`,
    command: process.execPath,
    args: start.args,
    cwd: ROOT,
    // The ready lines are logged at info; everything below warn would only fill the log.
    // Any free metrics port: a bench must not take the ports a running `npm run dev` wants.
    env: { ...process.env, ...start.env, LOG_LEVEL: 'info', WORKER_METRICS_PORT: '0', RELAY_METRICS_PORT: '0', ...options.env },
    ports: [],
    output: { logFile },
    // Not `.data/run`: a bench beside `npm run dev` must not reap, or be reaped by, the dev stack.
    runDir: join(options.root, 'run'),
    progress: (line) => console.log(line),
  });
  await waitFor(
    `the bench ${options.name} process`,
    async () => {
      if (started.hasExited()) throw new StartFailed(`${options.name} exited while starting; see ${logFile}`);
      if (entry.readyLine) return existsSync(logFile) && entry.readyLine.test(readFileSync(logFile, 'utf8'));
      return options.probe ? options.probe() : true;
    },
    options.timeoutMs ?? 180_000,
    250,
  );
  return { name: options.name, pid: started.pid, logFile, stop: () => started.stop() };
}

/** Resident and peak resident memory of one process, in MB (VmRSS and VmHWM of /proc/<pid>/status). */
export function memoryOf(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}
