import { afterAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { startSupervised, type SupervisedProcess } from '../../src/platform/launch/supervised-process.ts';
import { StartFailed, waitFor } from '../../src/platform/launch/wait-for.ts';
import { freePort } from '../../src/platform/launch/free-port.ts';
import { sample } from '../support/prometheus-text.ts';
import { createTestDatabase, temporalTarget, uniqueTaskQueue } from '../support/test-env.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * `npm run relay` as production runs it: its own process, its own module graph. The
 * in-process relay of `npm run dev` and the tests loads the modules in another order,
 * which once hid an import cycle that killed the standalone relay at its first line.
 */
describe('the outbox relay as its own process', () => {
  let relay: SupervisedProcess | undefined;
  let db: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
  afterAll(async () => {
    await relay?.stop();
    await db?.drop();
  });

  it('starts, and dispatches what is in the outbox', async () => {
    db = await createTestDatabase();
    await db.pools.write.query(`INSERT INTO outbox (message_id, message_type, payload) VALUES ($1, 'NothingSubscribes', '{}')`, [
      crypto.randomUUID(),
    ]);
    const output: string[] = [];
    const metricsPort = await freePort();
    relay = await startSupervised({
      name: 'test relay',
      command: process.execPath,
      args: ['--import', 'tsx', 'src/main/relay.ts'],
      cwd: ROOT,
      env: {
        ...process.env,
        DATABASE_URL: db.url,
        TEMPORAL_ADDRESS: temporalTarget().address,
        TEMPORAL_TASK_QUEUE: uniqueTaskQueue('relay'),
        LOG_LEVEL: 'info',
        RELAY_METRICS_PORT: String(metricsPort),
      },
      ports: [],
      output: 'pipe',
    });
    relay.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    relay.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    await waitFor(
      'the relay dispatching',
      async () => {
        if (relay!.hasExited()) throw new StartFailed(`the relay exited:\n${output.join('')}`);
        const { rows } = await db!.pools.read.query('SELECT count(*)::int AS n FROM outbox WHERE dispatched_at IS NULL');
        // The relay logs "running" once started, and it starts by dispatching: the message can be out before the line is.
        return rows[0].n === 0 && output.join('').includes('outbox relay running');
      },
      30_000,
    );
    // Its own /metrics tells the same: nothing waits, and what it moved is counted.
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(sample(metrics, 'outbox_backlog_messages')).toBe(0);
    expect(sample(metrics, 'outbox_dispatched_total')).toBeGreaterThanOrEqual(1);
    expect(sample(metrics, 'db_pool_connections', { pool: 'write', state: 'total' })).toBeGreaterThanOrEqual(1);
  });
});
