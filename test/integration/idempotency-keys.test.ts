import { Hono } from 'hono';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgIdempotencyStore } from '../../src/platform/db/idempotency-store.ts';
import { idempotencyKeys, requestHash } from '../../src/platform/http/idempotency.ts';
import { startSeverableTcpProxy } from '../support/severable-tcp-proxy.ts';
import { createTestDatabase } from '../support/test-env.ts';

const LEASE_MS = 1_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The chaos harness saw customers retry `POST /withdrawals` with the same key and get
 * "still in progress" (409) for two minutes: the first request's API had been SIGKILLed,
 * or Postgres had restarted under it so that even releasing the key failed, and the key
 * stayed taken until a fixed 120 s had passed. A key is now held by a lease that the
 * running request renews: a live request keeps it as long as it runs, a dead one loses
 * it within one lease.
 */
describe('Idempotency-Key claims', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let store: PgIdempotencyStore;
  let app: Hono;
  let effects = 0;
  let slowRequestMayFinish: () => void = () => {};

  beforeAll(async () => {
    db = await createTestDatabase();
    store = new PgIdempotencyStore(db.pools.write, { leaseMs: LEASE_MS });
    app = new Hono();
    app.post('/effects', idempotencyKeys(store), async (c) => {
      if ((await c.req.json()).slow) await new Promise<void>((resolve) => (slowRequestMayFinish = resolve));
      effects++;
      return c.json({ effect: effects }, 201);
    });
  });
  afterAll(async () => {
    await db.drop();
  });

  const post = (key: string, body: unknown) =>
    app.request('/effects', {
      method: 'POST',
      headers: { 'idempotency-key': key, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const hashOf = (body: unknown) => requestHash('POST', '/effects', JSON.stringify(body));

  it('frees the key of a request whose process died once its lease has lapsed', async () => {
    const body = { slow: false, n: 1 };
    // What a SIGKILLed API leaves behind: a claim that is never completed, released or renewed.
    const orphan = await store.claim('anonymous', 'died-mid-request', await hashOf(body));
    expect(orphan.kind).toBe('first');

    const whileLeased = await post('died-mid-request', body);
    expect(whileLeased.status).toBe(409);
    expect(whileLeased.headers.get('retry-after')).toBe('1');

    await sleep(LEASE_MS * 1.5);
    const retried = await post('died-mid-request', body);
    expect(retried.status).toBe(201);
    const replayed = await post('died-mid-request', body);
    expect(replayed.status).toBe(201);
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
    expect(await replayed.json()).toEqual(await retried.json());
  });

  it('keeps the key of a request that is still running, however long it runs', async () => {
    const body = { slow: true };
    const effectsBefore = effects;
    const first = post('slow-request', body);
    await sleep(LEASE_MS * 3);
    const retryWhileRunning = await post('slow-request', body);
    expect(retryWhileRunning.status).toBe(409);
    expect(retryWhileRunning.headers.get('retry-after')).toBe('1');

    slowRequestMayFinish();
    expect((await first).status).toBe(201);
    const retryAfter = await post('slow-request', body);
    expect(retryAfter.headers.get('idempotent-replayed')).toBe('true');
    expect(effects - effectsBefore).toBe(1);
  });

  it('lets a request whose claim was taken over neither store nor release over its successor', async () => {
    const hash = await hashOf({ n: 3 });
    const overtaken = await store.claim('anonymous', 'taken-over', hash);
    await sleep(LEASE_MS * 1.5);
    const successor = await store.claim('anonymous', 'taken-over', hash);
    if (overtaken.kind !== 'first' || successor.kind !== 'first') throw new Error('both claims should have been granted');

    await store.release('anonymous', 'taken-over', overtaken.claimant);
    expect((await store.claim('anonymous', 'taken-over', hash)).kind).toBe('in_progress');

    await store.complete('anonymous', 'taken-over', successor.claimant, {
      status: 201,
      contentType: 'application/json',
      body: '"successor"',
    });
    await store.complete('anonymous', 'taken-over', overtaken.claimant, {
      status: 201,
      contentType: 'application/json',
      body: '"overtaken"',
    });
    const replay = await store.claim('anonymous', 'taken-over', hash);
    expect(replay).toEqual({ kind: 'replay', response: { status: 201, contentType: 'application/json', body: '"successor"' } });
  });

  it('stores the answer of an effect that committed even when the database went away just after', async () => {
    const url = new URL(db.url);
    const proxy = await startSeverableTcpProxy(url.hostname, Number(url.port));
    url.port = String(proxy.port);
    const pool = new pg.Pool({ connectionString: url.toString(), max: 2 });
    pool.on('error', () => undefined);
    const severedStore = new PgIdempotencyStore(pool, { leaseMs: LEASE_MS });
    let committed = 0;
    const severedApp = new Hono();
    severedApp.post('/effects', idempotencyKeys(severedStore), async (c) => {
      committed++;
      // Postgres restarts between the effect's commit and the storing of its answer.
      proxy.sever();
      setTimeout(() => proxy.restore(), 1_500);
      return c.json({ committed }, 201);
    });
    const request = () =>
      severedApp.request('/effects', { method: 'POST', headers: { 'idempotency-key': 'restart-after-commit' }, body: '{}' });
    try {
      const first = await request();
      expect(first.status).toBe(201);
      await sleep(LEASE_MS * 1.5);
      const retried = await request();
      expect(retried.headers.get('idempotent-replayed')).toBe('true');
      expect(committed).toBe(1);
    } finally {
      await pool.end();
      await proxy.close();
    }
  });
});
