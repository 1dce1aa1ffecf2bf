import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RUN_DIR, readRunRecords } from '../../src/platform/launch/run-records.ts';
import { waitUntilGone } from '../support/dev-stack.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The test suite's setup and the benchmarks start their servers through the same
 * launchers as `npm run dev`: killed by any signal, their servers go too.
 */
describe.each([
  { launcher: 'test-setup', signal: 'SIGKILL' as const },
  { launcher: 'bench', signal: 'SIGTERM' as const },
])('the $launcher launcher, ended by $signal', { timeout: 120_000 }, ({ launcher, signal }) => {
  it('takes its PostgreSQL and Temporal dev server with it within 3 s', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/launch/fixtures/run-launcher.ts', launcher], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('READY')) resolve();
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', () => reject(new Error(`the launcher exited before it was ready:\n${output}`)));
    });

    const records = readRunRecords(DEFAULT_RUN_DIR).flatMap(({ record }) => (record && record.launcher.pid === child.pid ? [record] : []));
    expect(records.map((record) => record.name).sort()).toEqual(['PostgreSQL', 'Temporal dev server']);
    child.kill(signal);
    await exited;
    await waitUntilGone(
      records.flatMap((record) => record.ports),
      records.flatMap((record) => [record.server.pid, record.supervisor.pid]),
      3_000,
    );
  });
});
