import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commandLineOf, identityOf, isRunning, type ProcessIdentity } from '../../src/platform/launch/processes.ts';
import { reapOrphans, recordFileFor, writeRunRecord } from '../../src/platform/launch/run-records.ts';

/**
 * The reaper is the second line of defence, and a dangerous one: it kills processes.
 * It may only ever stop what a dead launcher recorded, and only while the pid still
 * runs the recorded command line (pids are reused).
 */
let runDir: string;
const children: ChildProcess[] = [];

function sleeper(): ProcessIdentity {
  const child = spawn('sleep', ['300'], { detached: true, stdio: 'ignore' });
  children.push(child);
  return identityOf(child.pid!)!;
}

/** A launcher that has come and gone: its pid no longer runs. */
async function deadLauncher(): Promise<ProcessIdentity> {
  const child = spawn('sleep', ['0']);
  const identity = { pid: child.pid!, commandLine: 'sleep 0' };
  await new Promise((resolve) => child.once('exit', resolve));
  return identity;
}

function record(launcher: ProcessIdentity, server: ProcessIdentity, supervisor: ProcessIdentity) {
  const file = recordFileFor(runDir, `server-${server.pid}`, launcher.pid);
  writeRunRecord(file, {
    name: 'test server',
    launcher,
    supervisor,
    server,
    ports: [],
    stopSignal: 'SIGTERM',
    startedAt: new Date().toISOString(),
  });
  return file;
}

beforeEach(() => {
  runDir = mkdtempSync(join(tmpdir(), 'run-records-'));
});

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  rmSync(runDir, { recursive: true, force: true });
});

describe('reapOrphans', () => {
  it("stops a dead launcher's server and supervisor that still run their recorded command lines", async () => {
    const [server, supervisor] = [sleeper(), sleeper()];
    const file = record(await deadLauncher(), server, supervisor);
    const said: string[] = [];

    const reaped = await reapOrphans(runDir, (line) => said.push(line));

    expect(reaped).toHaveLength(1);
    expect([isRunning(server.pid), isRunning(supervisor.pid)]).toEqual([false, false]);
    expect(said.join('\n')).toContain(`stopping an orphaned test server (pid ${server.pid}`);
    expect(existsSync(file)).toBe(false);
  });

  it('leaves a process alone whose pid was reused for another command line, and forgets the record', async () => {
    const stranger = sleeper();
    const file = record(
      await deadLauncher(),
      { pid: stranger.pid, commandLine: 'temporal server start-dev' },
      { pid: stranger.pid, commandLine: 'node supervisor.ts' },
    );

    expect(await reapOrphans(runDir, () => {})).toEqual([]);

    expect(isRunning(stranger.pid)).toBe(true);
    expect(commandLineOf(stranger.pid)).toBe('sleep 300');
    expect(existsSync(file)).toBe(false);
  });

  it('leaves the servers of a launcher that still runs alone, and keeps its record', async () => {
    const [launcher, server, supervisor] = [sleeper(), sleeper(), sleeper()];
    const file = record(launcher, server, supervisor);

    expect(await reapOrphans(runDir, () => {})).toEqual([]);

    expect([isRunning(server.pid), isRunning(supervisor.pid)]).toEqual([true, true]);
    expect(existsSync(file)).toBe(true);
  });

  it('drops an unreadable record without touching anything', async () => {
    writeFileSync(join(runDir, 'torn.json'), '{"name": "half a rec');
    expect(await reapOrphans(runDir, () => {})).toEqual([]);
    expect(existsSync(join(runDir, 'torn.json'))).toBe(false);
  });
});
