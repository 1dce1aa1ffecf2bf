import { createRoute, z } from '@hono/zod-openapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgIdempotencyStore } from '../../src/platform/db/idempotency-store.ts';
import type { RegisterRoutes } from '../../src/platform/http/app.ts';
import { requireCustomer } from '../../src/platform/http/auth.ts';
import { idempotencyKeys } from '../../src/platform/http/idempotency.ts';
import { MoneySchema } from '../../src/platform/http/schemas.ts';
import { signWebhook } from '../../src/platform/http/webhook-signature.ts';
import { receiveWebhooks } from '../../src/platform/http/webhooks.ts';
import { GrpcWorkflowGateway } from '../../src/platform/temporal/grpc-workflow-gateway.ts';
import { startTestApi, type TestApi } from '../support/api-server.ts';
import { createTestDatabase, temporalTarget } from '../support/test-env.ts';

/**
 * The HTTP platform through a real server: problem+json, auth, webhooks, idempotency.
 * Two test-only routes exercise the platform pieces the business routes will use:
 * a webhook sender whose events leave rows in `received_events`, and a transfer whose
 * effect (a row in `transfers`) must happen once per Idempotency-Key.
 */
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let workflows: GrpcWorkflowGateway;
let api: TestApi;
const WEBHOOK_SECRET = 'test-webhook-secret-0123456789';

const testRoutes: RegisterRoutes = (app, { pools, clock, config }) => {
  app.post(
    '/test/webhooks',
    receiveWebhooks({
      source: 'test',
      secret: WEBHOOK_SECRET,
      pool: pools.write,
      clock,
      handle: async (event, uow) => void (await uow.sql.query('INSERT INTO received_events (event_id) VALUES ($1)', [event.id])),
    }),
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/test/transfers',
      middleware: [requireCustomer(config), idempotencyKeys(new PgIdempotencyStore(pools.write))] as const,
      request: { body: { content: { 'application/json': { schema: z.object({ amount: MoneySchema, note: z.string().max(20) }) } } } },
      responses: { 201: { description: 'done' } },
    }),
    async (c) => {
      const { amount, note } = c.req.valid('json');
      const { rows } = await pools.write.query<{ id: number }>('INSERT INTO transfers (amount, note) VALUES ($1, $2) RETURNING id', [
        amount.toString(),
        note,
      ]);
      return c.json({ transferId: rows[0]!.id, amount: amount.toJSON() }, 201);
    },
  );
};

beforeAll(async () => {
  db = await createTestDatabase();
  await db.pools.write.query('CREATE TABLE received_events (event_id text NOT NULL)');
  await db.pools.write.query('CREATE TABLE transfers (id serial PRIMARY KEY, amount text NOT NULL, note text NOT NULL)');
  const { address, namespace } = temporalTarget();
  workflows = await GrpcWorkflowGateway.connect(address, namespace);
  api = await startTestApi({ pools: db.pools, workflows, extraRoutes: [testRoutes] });
});
afterAll(async () => {
  await api.close();
  await workflows.close();
  await db.drop();
});

const count = async (table: string) => (await db.pools.read.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n as number;

describe('problems and validation', () => {
  it('answers a bad body with 400 problem+json naming each field, and changes nothing', async () => {
    const response = await api.call('POST', '/test/transfers', {
      as: 'alice',
      body: { amount: { amount: '10.001', currency: 'USD' }, note: 'x'.repeat(30) },
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ type: expect.any(String), title: 'Invalid request', status: 400, detail: expect.any(String) });
    expect(response.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['amount.amount', 'note']);
    expect(await count('transfers')).toBe(0);
  });

  it('names the currency field for an unknown currency and the amount for a negative one', async () => {
    const unknown = await api.call('POST', '/test/transfers', {
      as: 'alice',
      body: { amount: { amount: '1.00', currency: 'GBP' }, note: 'a' },
    });
    expect(unknown.body.errors.map((e: { path: string }) => e.path)).toEqual(['amount.currency']);
    const negative = await api.call('POST', '/test/transfers', {
      as: 'alice',
      body: { amount: { amount: '-1.00', currency: 'USD' }, note: 'a' },
    });
    expect(negative.body.errors).toEqual([{ path: 'amount.amount', message: 'must not be negative' }]);
  });

  it('answers malformed JSON and unknown routes with problems, never a stack trace', async () => {
    const malformed = await api.call('POST', '/test/transfers', { as: 'alice', body: '{"amount":' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.detail).toMatch(/Malformed JSON/);
    const missing = await api.call('GET', '/nowhere');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/problem\+json/);
    expect(JSON.stringify(missing.body)).not.toMatch(/at .*\.ts:\d+/);
  });
});

describe('bearer auth', () => {
  it('answers 401 without a token, with a bad one, and with one signed by another secret', async () => {
    const body = { amount: { amount: '1.00', currency: 'USD' }, note: 'a' };
    const none = await api.call('POST', '/test/transfers', { body });
    const garbage = await api.call('POST', '/test/transfers', { body, headers: { authorization: 'Bearer not-a-jwt' } });
    const { issueToken } = await import('../../src/platform/http/auth.ts');
    const forged = await issueToken('some-other-secret-0123456789', 'alice');
    const wrongKey = await api.call('POST', '/test/transfers', { body, headers: { authorization: `Bearer ${forged}` } });
    for (const response of [none, garbage, wrongKey]) {
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toMatch(/problem\+json/);
    }
    expect(await count('transfers')).toBe(0);
  });
});

describe('signed webhooks', () => {
  const post = async (event: object, options: { secret?: string; at?: number; tamper?: boolean } = {}) => {
    const raw = JSON.stringify(event);
    const at = options.at ?? Math.floor(Date.now() / 1000);
    const signature = await signWebhook(options.secret ?? WEBHOOK_SECRET, raw, at);
    const sent = options.tamper ? raw.replace('"data":{', '"data":{"extra":1,') : raw;
    return api.call('POST', '/test/webhooks', { body: sent, headers: { 'webhook-signature': signature } });
  };
  const receivedCount = async (id: string) =>
    (await db.pools.read.query('SELECT count(*)::int AS n FROM received_events WHERE event_id = $1', [id])).rows[0].n as number;

  it('accepts a signed event and acts on it', async () => {
    const event = { id: `evt_${crypto.randomUUID()}`, type: 'thing.happened', data: {} };
    const response = await post(event);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ received: true, duplicate: false });
    expect(await receivedCount(event.id)).toBe(1);
  });

  it('refuses with 401 a tampered body, a wrong secret, and a timestamp 10 minutes old, changing nothing', async () => {
    const tampered = { id: `evt_${crypto.randomUUID()}`, type: 'thing.happened', data: {} };
    const wrongSecret = { id: `evt_${crypto.randomUUID()}`, type: 'thing.happened', data: {} };
    const stale = { id: `evt_${crypto.randomUUID()}`, type: 'thing.happened', data: {} };
    const responses = [
      await post(tampered, { tamper: true }),
      await post(wrongSecret, { secret: 'not-the-secret-0123456789' }),
      await post(stale, { at: Math.floor(Date.now() / 1000) - 600 }),
    ];
    expect(responses.map((r) => r.status)).toEqual([401, 401, 401]);
    for (const event of [tampered, wrongSecret, stale]) expect(await receivedCount(event.id)).toBe(0);
  });

  it('answers a replayed event id with 200 and no second effect, even when replays race', async () => {
    const event = { id: `evt_${crypto.randomUUID()}`, type: 'thing.happened', data: {} };
    const responses = await Promise.all([post(event), post(event), post(event)]);
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(responses.filter((r) => r.body.duplicate === false)).toHaveLength(1);
    expect(await receivedCount(event.id)).toBe(1);
  });
});

describe('Idempotency-Key', () => {
  const body = { amount: { amount: '5.00', currency: 'EUR' }, note: 'rent' };

  it('replays the first response for the same key and body, performing the effect once', async () => {
    const key = crypto.randomUUID();
    const first = await api.call('POST', '/test/transfers', { as: 'alice', body, headers: { 'idempotency-key': key } });
    const again = await api.call('POST', '/test/transfers', { as: 'alice', body, headers: { 'idempotency-key': key } });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const { rows } = await db.pools.read.query("SELECT count(*)::int AS n FROM transfers WHERE note = 'rent'");
    expect(rows[0].n).toBe(1);
  });

  it('refuses the same key with a different body with 422', async () => {
    const key = crypto.randomUUID();
    await api.call('POST', '/test/transfers', { as: 'alice', body, headers: { 'idempotency-key': key } });
    const changed = await api.call('POST', '/test/transfers', {
      as: 'alice',
      body: { ...body, note: 'not rent' },
      headers: { 'idempotency-key': key },
    });
    expect(changed.status).toBe(422);
    expect(changed.body.errors).toEqual([{ path: 'Idempotency-Key', message: 'already used with a different request' }]);
    const { rows } = await db.pools.read.query("SELECT count(*)::int AS n FROM transfers WHERE note = 'not rent'");
    expect(rows[0].n).toBe(0);
  });

  it("keeps customers' keys apart", async () => {
    const key = crypto.randomUUID();
    const alice = await api.call('POST', '/test/transfers', { as: 'alice', body, headers: { 'idempotency-key': key } });
    const bob = await api.call('POST', '/test/transfers', { as: 'bob', body, headers: { 'idempotency-key': key } });
    expect(bob.status).toBe(201);
    expect(bob.body.transferId).not.toBe(alice.body.transferId);
  });
});

describe('health and documentation', () => {
  it('reports Postgres and Temporal ok', async () => {
    const response = await api.call('GET', '/health');
    expect(response).toMatchObject({ status: 200, body: { status: 'ok', postgres: 'ok', temporal: 'ok' } });
  });

  it('serves an OpenAPI 3.1 document generated from the validating schemas, and the docs page', async () => {
    const doc = await api.call('GET', '/openapi.json');
    expect(doc.body.openapi).toBe('3.1.0');
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/health', '/diagnostics/pings', '/diagnostics/pings/{id}']));
    expect(doc.body.components.schemas.PingRequest.properties.message).toMatchObject({ type: 'string', minLength: 1 });
    const docs = await fetch(`${api.url}/docs`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toMatch(/openapi\.json/);
  });
});
