import { createWriteStream, type WriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startSupervised, type SupervisedProcess } from '../src/platform/launch/supervised-process.ts';
import { StartFailed, waitFor } from '../src/platform/launch/wait-for.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/**
 * One of the platform's own processes (API, worker, outbox relay) as production runs
 * it, `node --import tsx <entry>`, under the launchers' supervisor. The run can SIGKILL
 * it at any moment and start it again; if it dies by itself, it is started again too,
 * as an init system would, and the death is counted so the report shows it.
 */
export interface PlatformProcess {
  name: string;
  pid(): number | undefined;
  start(): Promise<void>;
  /** SIGKILL, then a fresh start; resolves once the new one is ready. */
  killAndRestart(): Promise<{ killedPid: number | undefined; restartMs: number }>;
  stop(): Promise<void>;
  unexpectedExits: number;
}

export function platformProcess(options: {
  name: string;
  entry: string;
  env: NodeJS.ProcessEnv;
  logFile: string;
  runDir: string;
  /** The output line that says it is ready (the worker's "worker polling"), or a probe. */
  ready: { line: RegExp } | { probe: () => Promise<boolean> };
  log: (line: string) => void;
}): PlatformProcess {
  let current: SupervisedProcess | undefined;
  let stopping = false;
  let log: WriteStream | undefined;
  const handle: PlatformProcess = {
    name: options.name,
    unexpectedExits: 0,
    pid: () => current?.pid,
    async start() {
      log ??= createWriteStream(options.logFile, { flags: 'a' });
      const seen: string[] = [];
      const started = await startSupervised({
        name: `chaos ${options.name}`,
        command: process.execPath,
        args: ['--import', 'tsx', options.entry],
        cwd: ROOT,
        env: options.env,
        ports: [],
        output: 'pipe',
        runDir: options.runDir,
        progress: options.log,
      });
      current = started;
      let readyLine = false;
      let up = false;
      const onOutput = (chunk: Buffer) => {
        log?.write(chunk);
        if ('line' in options.ready && !readyLine) {
          seen.push(chunk.toString());
          if (options.ready.line.test(seen.join(''))) readyLine = true;
        }
      };
      started.stdout?.on('data', onOutput);
      started.stderr?.on('data', onOutput);
      void started.exited.then((code) => {
        // A death while starting is the starter's to handle (it throws below).
        if (stopping || current !== started || !up) return;
        handle.unexpectedExits++;
        options.log(`${options.name} (pid ${started.pid}) exited by itself with code ${code}: starting it again`);
        void handle.start().catch((error: Error) => options.log(`${options.name} could not be started again: ${error.message}`));
      });
      await waitFor(
        options.name,
        async () => {
          if (started.hasExited()) throw new StartFailed(`${options.name} exited while starting; see ${options.logFile}`);
          return 'line' in options.ready ? readyLine : options.ready.probe();
        },
        120_000,
      );
      up = true;
    },
    async killAndRestart() {
      const killed = current;
      const begun = Date.now();
      current = undefined;
      await killed?.crash();
      await handle.start();
      return { killedPid: killed?.pid, restartMs: Date.now() - begun };
    },
    async stop() {
      stopping = true;
      await current?.stop();
      current = undefined;
      await new Promise<void>((resolve) => (log ? log.end(resolve) : resolve()));
      log = undefined;
      stopping = false;
    },
  };
  return handle;
}
