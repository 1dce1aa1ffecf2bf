import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { isStillRunning, stopProcessGroup, type ProcessIdentity } from './processes.ts';

/**
 * Where supervised servers record themselves when the caller names no directory: the
 * project's `.data/run`, shared by `npm run dev`, the test setup and the benchmarks, so
 * each one's start reaps what a crashed other left behind.
 */
export const DEFAULT_RUN_DIR = fileURLToPath(new URL('../../../.data/run/', import.meta.url));

const Identity = z.object({ pid: z.number().int().positive(), commandLine: z.string().min(1) });

/**
 * A pid file, with more than a pid: who started the server (the launcher), who watches
 * it (the supervisor) and the server itself, each with its command line, so a later
 * start can tell our orphan from a stranger that happens to have a reused pid.
 */
export const RunRecordSchema = z.object({
  name: z.string(),
  launcher: Identity,
  supervisor: Identity,
  server: Identity,
  ports: z.array(z.number().int()),
  /** The signal that asks the server for an orderly stop (Postgres: SIGINT, a fast shutdown). */
  stopSignal: z.enum(['SIGTERM', 'SIGINT']),
  startedAt: z.string(),
});
export type RunRecord = z.infer<typeof RunRecordSchema>;

export function recordFileFor(runDir: string, name: string, launcherPid: number): string {
  return join(runDir, `${name.replace(/[^a-z0-9-]+/gi, '-')}-${launcherPid}.json`);
}

/** Written whole or not at all (rename), so a reader never sees half a record. */
export function writeRunRecord(file: string, record: RunRecord): void {
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(`${file}.tmp`, JSON.stringify(record, null, 2));
  renameSync(`${file}.tmp`, file);
}

export function removeRunRecord(file: string): void {
  rmSync(file, { force: true });
}

export function readRunRecords(runDir: string): { file: string; record: RunRecord | undefined }[] {
  let names: string[];
  try {
    names = readdirSync(runDir).filter((name) => name.endsWith('.json'));
  } catch {
    return [];
  }
  return names.map((name) => {
    const file = join(runDir, name);
    try {
      return { file, record: RunRecordSchema.parse(JSON.parse(readFileSync(file, 'utf8'))) };
    } catch {
      return { file, record: undefined };
    }
  });
}

/**
 * The second line of defence behind each server's supervisor: stops every server in
 * `runDir` whose launcher is gone but which still runs (the supervisor itself was
 * killed, or the machine lost power mid-stop). Only processes we recorded, and only
 * while their command line still matches; a server whose launcher lives is left alone.
 * Returns what it stopped.
 */
export async function reapOrphans(runDir: string, say: (line: string) => void): Promise<RunRecord[]> {
  const reaped: RunRecord[] = [];
  for (const { file, record } of readRunRecords(runDir)) {
    if (!record) {
      removeRunRecord(file);
      continue;
    }
    if (record.launcher.pid === process.pid || isStillRunning(record.launcher)) continue;
    const leftovers: ProcessIdentity[] = [record.server, record.supervisor].filter(isStillRunning);
    if (leftovers.length > 0) {
      say(
        `stopping an orphaned ${record.name} (pid ${record.server.pid}, ports ${record.ports.join(', ')}) ` +
          `left by launcher pid ${record.launcher.pid}, which is gone`,
      );
      for (const process of leftovers) await stopProcessGroup(process.pid, record.stopSignal, 5_000);
      reaped.push(record);
    }
    removeRunRecord(file);
  }
  return reaped;
}

/**
 * For port messages: names the live launcher whose recorded server holds a port ("the
 * PostgreSQL of another `npm run dev`"), or undefined for a process nobody recorded.
 */
export function liveOwnerIn(runDir: string): (holder: ProcessIdentity) => string | undefined {
  return (holder) => {
    const record = readRunRecords(runDir).find(({ record }) => record?.server.pid === holder.pid)?.record;
    if (!record || !isStillRunning(record.launcher)) return undefined;
    return (
      `the ${record.name} (pid ${record.server.pid}) of another launcher that is still running ` +
      `(pid ${record.launcher.pid}: ${record.launcher.commandLine.slice(0, 120)})`
    );
  };
}
