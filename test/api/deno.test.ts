import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueToken } from '../../src/platform/http/auth.ts';
import { freePort } from '../../src/platform/launch/free-port.ts';
import { startSupervised, type SupervisedProcess } from '../../src/platform/launch/supervised-process.ts';
import { StartFailed, waitFor } from '../../src/platform/launch/wait-for.ts';
import { createTestDatabase, startTestWorker, temporalTarget, uniqueTaskQueue } from '../support/test-env.ts';

/**
 * The same API under Deno (the `deno` binary from npm), where `@temporalio/client`
 * cannot run: it reaches Temporal through the fetch-only HTTP gateway. A Node worker
 * serves the task queue, as it would in production.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DENO = fileURLToPath(new URL('../../node_modules/.bin/deno', import.meta.url));
const AUTH_SECRET = 'deno-test-auth-secret-0123456789';
const taskQueue = uniqueTaskQueue('deno');

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let worker: Awaited<ReturnType<typeof startTestWorker>>;
let deno: SupervisedProcess;
let base: string;
const output: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  worker = await startTestWorker(db.pools, taskQueue);
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  // Supervised like every server a test starts: a killed test run leaves no API behind.
  deno = await startSupervised({
    name: 'Deno API',
    command: DENO,
    args: ['run', '-A', 'src/main/api.deno.ts'],
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      DATABASE_URL: db.url,
      TEMPORAL_HTTP_ADDRESS: temporalTarget().httpAddress,
      TEMPORAL_NAMESPACE: temporalTarget().namespace,
      TEMPORAL_TASK_QUEUE: taskQueue,
      AUTH_SECRET,
      LOG_LEVEL: 'warn',
      NO_COLOR: '1',
    },
    ports: [{ port, role: 'the Deno API' }],
    output: 'pipe',
  });
  deno.stdout?.on('data', (chunk) => output.push(String(chunk)));
  deno.stderr?.on('data', (chunk) => output.push(String(chunk)));
  await waitFor(
    'the Deno API',
    async () => {
      if (deno.hasExited()) throw new StartFailed(`deno exited: ${output.join('')}`);
      return (await fetch(`${base}/health`)).status === 200;
    },
    90_000,
  ).catch((error: Error) => {
    throw new Error(`${error.message}\n${output.join('')}`);
  });
}, 120_000);

afterAll(async () => {
  await deno?.stop();
  await worker?.stop();
  await db?.drop();
});

async function call(method: string, path: string, as?: string, body?: unknown) {
  const headers: Record<string, string> = {};
  if (as) headers.authorization = `Bearer ${await issueToken(AUTH_SECRET, as)}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as any };
}

describe('the API on Deno', () => {
  it('answers /health with Postgres and Temporal ok', async () => {
    expect(await call('GET', '/health')).toEqual({ status: 200, body: { status: 'ok', postgres: 'ok', temporal: 'ok' } });
  });

  it('starts the trivial workflow through the HTTP gateway, signals it, and reads the result from Postgres', async () => {
    const started = await call('POST', '/diagnostics/pings', 'dora', { message: 'from deno', awaitAcknowledgement: true });
    expect(started.status).toBe(202);
    const { pingId, workflowId } = started.body;

    // A Postgres-backed route: the ping appears once the worker's activity has written it.
    await expect.poll(async () => (await call('GET', `/diagnostics/pings/${pingId}`, 'dora')).status, { timeout: 20_000 }).toBe(200);
    expect((await call('GET', `/diagnostics/pings/${pingId}`, 'dora')).body).toMatchObject({ message: 'from deno', requestedBy: 'dora' });

    await expect
      .poll(async () => (await call('GET', `/sagas/${workflowId}`, 'dora')).body.step, { timeout: 20_000 })
      .toBe('awaiting-acknowledgement');
    expect((await call('POST', `/diagnostics/pings/${pingId}/acknowledgements`, 'dora')).status).toBe(202);
    await expect.poll(async () => (await call('GET', `/sagas/${workflowId}`, 'dora')).body.status, { timeout: 20_000 }).toBe('completed');

    const saga = await call('GET', `/sagas/${workflowId}`, 'dora');
    expect(saga.body).toMatchObject({ workflowId, type: 'diagnosticPing', status: 'completed', step: 'done', pingId });
    expect((await call('GET', `/sagas/${workflowId}`, 'someone-else')).status).toBe(403);
  });

  it('speaks problem+json there too', async () => {
    const bad = await call('POST', '/diagnostics/pings', 'dora', { message: '' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('message');
    expect((await call('GET', '/diagnostics/pings/not-a-uuid', undefined)).status).toBe(401);
  });
});
