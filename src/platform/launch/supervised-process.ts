import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ensurePortsFree, type WantedPort } from './ports.ts';
import { identityOf, isStillRunning, stopProcessGroup } from './processes.ts';
import { DEFAULT_RUN_DIR, liveOwnerIn, reapOrphans, recordFileFor } from './run-records.ts';
import { HandshakeSchema, type SupervisorSpec } from './supervisor-protocol.ts';

const SUPERVISOR = fileURLToPath(new URL('./supervisor.ts', import.meta.url));
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** Within 3 s of the launcher's death, the issue says; the stop signal gets two of them. */
const WATCHDOG_GRACE_MS = 2_000;
const ORDERLY_GRACE_MS = 10_000;

export interface SupervisedProcessOptions {
  /** Says what the server is, in records and messages ("PostgreSQL", "Temporal dev server"). */
  name: string;
  command: string;
  args: string[];
  /** The server's environment (default: ours). */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  uid?: number;
  gid?: number;
  stopSignal?: 'SIGTERM' | 'SIGINT';
  /** Checked free before the start (after our own orphans are reaped). */
  ports: WantedPort[];
  /** The server's output: appended to this file, or piped back to the caller. */
  output: { logFile: string } | 'pipe';
  runDir?: string;
  progress?: (line: string) => void;
}

export interface SupervisedProcess {
  name: string;
  /** The server's pid (not the supervisor's). */
  pid: number;
  supervisorPid: number;
  /** The server's output, when started with `output: 'pipe'`. */
  stdout: Readable | null;
  stderr: Readable | null;
  /** Resolves when the server and its supervisor are gone, however that happened, with the server's exit code. */
  exited: Promise<number | null>;
  hasExited(): boolean;
  /** Orderly: the stop signal, SIGKILL after ten seconds. */
  stop(): Promise<void>;
  /** SIGKILL to the server alone, as a crash would; its supervisor then exits too. */
  crash(): Promise<void>;
}

/**
 * Starts a long-running process under a supervisor (`supervisor.ts`) that stops it when
 * this process dies, however it dies. Before that it reaps the orphans a crashed earlier
 * launcher left in `runDir`, then refuses ports that a stranger holds.
 */
export async function startSupervised(options: SupervisedProcessOptions): Promise<SupervisedProcess> {
  const runDir = options.runDir ?? DEFAULT_RUN_DIR;
  await reapOrphans(runDir, options.progress ?? ((line) => console.warn(`[launch] ${line}`)));
  await ensurePortsFree(options.ports, liveOwnerIn(runDir));

  const spec: SupervisorSpec = {
    name: options.name,
    launcherPid: process.pid,
    command: options.command,
    args: options.args,
    cwd: options.cwd,
    uid: options.uid,
    gid: options.gid,
    stopSignal: options.stopSignal ?? 'SIGTERM',
    watchdogGraceMs: WATCHDOG_GRACE_MS,
    orderlyGraceMs: ORDERLY_GRACE_MS,
    recordFile: recordFileFor(runDir, options.name, process.pid),
    ports: options.ports.map(({ port }) => port),
  };
  let logFd: number | undefined;
  if (options.output !== 'pipe') {
    mkdirSync(dirname(options.output.logFile), { recursive: true });
    logFd = openSync(options.output.logFile, 'a');
  }
  const output = logFd ?? 'pipe';
  const supervisor = spawn(process.execPath, ['--import', TSX_LOADER, SUPERVISOR, JSON.stringify(spec)], {
    // Its own session: the launcher's process group may be signalled as a whole
    // (a terminal's Ctrl-C, `kill -9 -pgid`), and the supervisor must outlive that.
    detached: true,
    stdio: ['pipe', output, output, 'pipe'],
    // Through the environment, not the spec: a command line is readable by every user.
    env: options.env ?? process.env,
  });
  if (logFd !== undefined) closeSync(logFd);
  // The supervisor exits with its server's code (null when it was killed itself).
  const exited = new Promise<number | null>((resolve) => supervisor.once('exit', (code) => resolve(code)));
  let gone = false;
  void exited.then(() => (gone = true));

  const pid = await handshake(supervisor, options.name);
  const server = identityOf(pid);
  // Should the supervisor itself be killed while we live, do its job (after checking
  // the pid still runs the server: a supervisor that exited normally reaped it first).
  void exited.then(() => {
    if (server && isStillRunning(server)) void stopProcessGroup(pid, 'SIGKILL', 0);
  });
  // The pipe is the watchdog: it must not keep this process alive, only follow it.
  supervisor.unref();
  (supervisor.stdin as unknown as { unref?: () => void } | null)?.unref?.();

  return {
    name: options.name,
    pid,
    supervisorPid: supervisor.pid!,
    stdout: supervisor.stdout,
    stderr: supervisor.stderr,
    exited,
    hasExited: () => gone,
    async stop() {
      supervisor.ref(); // wait for it, even if nothing else keeps this process up
      if (!gone) supervisor.kill('SIGTERM');
      await exited;
    },
    async crash() {
      supervisor.ref();
      if (server && isStillRunning(server)) process.kill(pid, 'SIGKILL');
      await exited;
    },
  };
}

/** The server's pid, as the supervisor reports it on fd 3 once the server runs. */
function handshake(supervisor: ChildProcess, name: string): Promise<number> {
  const channel = supervisor.stdio[3] as Readable;
  return new Promise((resolve, reject) => {
    let received = '';
    channel.on('data', (chunk: Buffer) => {
      received += chunk.toString();
      if (!received.includes('\n')) return;
      channel.destroy();
      try {
        resolve(HandshakeSchema.parse(JSON.parse(received)).pid);
      } catch (error) {
        reject(new Error(`the supervisor of ${name} sent a bad handshake: ${received}`, { cause: error }));
      }
    });
    supervisor.once('exit', (code) => reject(new Error(`${name} did not start (its supervisor exited with ${code})`)));
    supervisor.once('error', reject);
  });
}
