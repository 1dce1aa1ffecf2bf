import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSupervised } from './supervised-process.ts';

/** The newest CLI tag `go install` accepts; later tags carry a replace directive it refuses. */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
const CLI_PACKAGE = 'github.com/temporalio/cli/cmd/temporal';
/** The project's own Go module that builds the CLI when `go install` is refused. */
const FALLBACK_MODULE = fileURLToPath(new URL('../../../tools/temporal/', import.meta.url));

/** Outside the clone, so CI runs and later checkouts on the same machine reuse one build. */
export function temporalCliCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'marketplace-platform', `temporal-cli-${TEMPORAL_CLI_VERSION}`);
}

/**
 * Finds the Temporal CLI, building it once if needed:
 *   1. `TEMPORAL_CLI_PATH`, when set;
 *   2. the cached build in `temporalCliCacheDir()`;
 *   3. a fresh build with the Go toolchain: `go install …@v1.5.1`, else the project's
 *      `tools/temporal` module (takes minutes the first time; progress is reported).
 * Returns undefined when none works, so the caller can fall back to the SDK's download.
 */
export async function resolveTemporalCli(progress: (line: string) => void): Promise<string | undefined> {
  const fromEnv = process.env.TEMPORAL_CLI_PATH;
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new Error(`TEMPORAL_CLI_PATH=${fromEnv} is not an executable file`);
    return fromEnv;
  }
  const cacheDir = temporalCliCacheDir();
  const cached = join(cacheDir, 'temporal');
  if (isExecutable(cached)) return cached;

  const go = findGo();
  if (!go) {
    progress('Temporal CLI: not cached and no Go toolchain found');
    return undefined;
  }
  progress(
    `Temporal CLI: building ${CLI_PACKAGE}@${TEMPORAL_CLI_VERSION} with ${go} into ${cacheDir} (first time only; takes a few minutes)`,
  );
  // Built into a staging directory and renamed into place: a build killed half-way
  // (a closed laptop, Ctrl-C) must not leave a truncated binary that looks cached.
  const staging = `${cacheDir}.build-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    const stagedBinary = join(staging, 'temporal');
    const installed = await runWithHeartbeat(
      go,
      ['install', `${CLI_PACKAGE}@${TEMPORAL_CLI_VERSION}`],
      { GOBIN: staging },
      undefined,
      progress,
    );
    if (!installed.ok || !isExecutable(stagedBinary)) {
      progress(`Temporal CLI: go install failed (${installed.tail}); trying the project's module in tools/temporal`);
      const built = await runWithHeartbeat(go, ['build', '-o', stagedBinary, CLI_PACKAGE], {}, FALLBACK_MODULE, progress);
      if (!built.ok || !isExecutable(stagedBinary)) {
        progress(`Temporal CLI: tools/temporal build failed too (${built.tail})`);
        return undefined;
      }
    }
    mkdirSync(cacheDir, { recursive: true });
    renameSync(stagedBinary, cached);
    return cached;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

function findGo(): string | undefined {
  for (const candidate of ['go', '/usr/local/go/bin/go', join(homedir(), 'go', 'bin', 'go')]) {
    if (spawnSync(candidate, ['version'], { stdio: 'ignore' }).status === 0) return candidate;
  }
  return undefined;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return existsSync(path);
  } catch {
    return false;
  }
}

/**
 * Runs a long command under the launchers' supervisor (a build must not go on for
 * minutes after whoever started it died), saying every 20 s that it is still going;
 * keeps its last output lines.
 */
async function runWithHeartbeat(
  command: string,
  args: string[],
  env: Record<string, string>,
  cwd: string | undefined,
  progress: (line: string) => void,
): Promise<{ ok: boolean; tail: string }> {
  const started = Date.now();
  const output: string[] = [];
  let build;
  try {
    build = await startSupervised({
      name: 'Temporal CLI build',
      command,
      args,
      env: { ...process.env, ...env },
      cwd,
      ports: [],
      output: 'pipe',
      progress,
    });
  } catch (error) {
    return { ok: false, tail: (error as Error).message };
  }
  const collect = (chunk: Buffer) => {
    output.push(...chunk.toString().split('\n').filter(Boolean));
    output.splice(0, Math.max(0, output.length - 20));
  };
  build.stdout?.on('data', collect);
  build.stderr?.on('data', collect);
  const timer = setInterval(() => progress(`Temporal CLI: still building (${Math.round((Date.now() - started) / 1000)}s)`), 20_000);
  const code = await build.exited;
  clearInterval(timer);
  if (code === 0) progress(`Temporal CLI: built in ${Math.round((Date.now() - started) / 1000)}s`);
  return { ok: code === 0, tail: output.slice(-5).join(' | ') || `exit ${code}` };
}

export const cliDir = (cliPath: string) => dirname(cliPath);
