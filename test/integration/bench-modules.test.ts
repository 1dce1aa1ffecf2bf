import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * `npm run bench` runs each benchmark under Node's own ESM loader (through tsx), not
 * vitest's: a named import from a CommonJS package that vitest resolves (`import { temporal }
 * from '@temporalio/proto'`) broke `npm run bench -- latency` while every test passed.
 */
describe('benchmarks', () => {
  it('all load as `npm run bench` loads them', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--check'], {
      cwd: root,
      timeout: 60_000,
    });
    expect(stdout).toContain('10 benchmarks load');
  }, 90_000);
});
