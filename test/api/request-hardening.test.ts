import http from 'node:http';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signWebhook } from '../../src/platform/http/webhook-signature.ts';
import { GrpcWorkflowGateway } from '../../src/platform/temporal/grpc-workflow-gateway.ts';
import { startTestApi, type TestApi } from '../support/api-server.ts';
import { createTestDatabase, startTestWorker, temporalTarget, uniqueTaskQueue } from '../support/test-env.ts';

/**
 * Bad input and bad auth refused at the edge, before they can cost money or leave a
 * half-written request behind: body size limits (413), control characters in text
 * (400), tokens without `exp` (401), Idempotency-Keys freed by a refused request,
 * pings kept to their sender (403), and test deposits only where switched on.
 */
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let worker: Awaited<ReturnType<typeof startTestWorker>>;
let workflows: GrpcWorkflowGateway;
let api: TestApi;
let apiWithoutDeposits: TestApi;
const taskQueue = uniqueTaskQueue('hardening');

beforeAll(async () => {
  db = await createTestDatabase();
  worker = await startTestWorker(db.pools, taskQueue);
  const { address, namespace } = temporalTarget();
  workflows = await GrpcWorkflowGateway.connect(address, namespace);
  api = await startTestApi({ pools: db.pools, workflows, env: { TEMPORAL_TASK_QUEUE: taskQueue } });
  apiWithoutDeposits = await startTestApi({ pools: db.pools, workflows, env: { TEMPORAL_TASK_QUEUE: taskQueue, TEST_DEPOSITS: 'off' } });
});
afterAll(async () => {
  await apiWithoutDeposits?.close();
  await api?.close();
  await worker?.stop();
  await workflows?.close();
  await db?.drop();
});

const auction = (title: string) => ({
  title,
  startingPrice: { amount: '10.00', currency: 'USD' },
  endsAt: new Date(Date.now() + 24 * 3600_000).toISOString(),
  fulfilment: 'delivery',
});
/** POSTs `totalBytes` of a JSON string without Content-Length, stopping as soon as the answer comes. */
function postStream(url: string, headers: Record<string, string>, totalBytes: number) {
  return new Promise<{ status: number; contentType: string; body: string; elapsedMs: number; sentBytes: number }>((resolve, reject) => {
    const started = Date.now();
    const request = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } });
    let sentBytes = 0;
    let answered = false;
    request.on('response', (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (text: string) => (body += text));
      response.on('end', () => {
        answered = true;
        request.destroy();
        const contentType = String(response.headers['content-type'] ?? '');
        resolve({ status: response.statusCode ?? 0, contentType, body, elapsedMs: Date.now() - started, sentBytes });
      });
    });
    request.on('error', (error) => answered || reject(error));
    const chunk = Buffer.alloc(64 * 1024, 'y');
    request.write('{"title":"');
    const pump = () => {
      while (!answered && sentBytes < totalBytes) {
        sentBytes += chunk.length;
        if (!request.write(chunk)) return void request.once('drain', pump);
      }
      if (!answered) request.end('","fulfilment":"delivery"}');
    };
    pump();
  });
}
const paths = (body: { errors?: { path: string }[] }) => (body.errors ?? []).map((e) => e.path);
const auctionsOf = async (sellerId: string) =>
  (await db.pools.read.query('SELECT count(*)::int AS n FROM auctions WHERE seller_id = $1', [sellerId])).rows[0].n as number;
const expectProblem = (response: { status: number; headers: Headers; body: any }, status: number) => {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(response.body).toMatchObject({ type: expect.any(String), title: expect.any(String), status, detail: expect.any(String) });
};

describe('request bodies over the limit', () => {
  it('answers 413 problem+json to a 2 MB body and to a 30 MB stream without Content-Length, without reading them whole', async () => {
    const seller = `big-${crypto.randomUUID()}`;
    const twoMegabytes = JSON.stringify(auction('x'.repeat(2 * 1024 * 1024)));
    const declared = await api.call('POST', '/auctions', { as: seller, body: twoMegabytes });
    expectProblem(declared, 413);
    expect(declared.body.detail).toMatch(/1 MB/);

    // 30 MB produced on demand and sent chunked (no Content-Length): the limit must cut it
    // off after 1 MB. node:http, because fetch gives up on a response that arrives while
    // it is still sending.
    const streamed = await postStream(`${api.url}/auctions`, { authorization: `Bearer ${await api.token(seller)}` }, 30 * 1024 * 1024);
    expect(streamed.status).toBe(413);
    expect(streamed.contentType).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(streamed.body)).toMatchObject({ status: 413, title: expect.any(String) });
    expect(streamed.elapsedMs).toBeLessThan(5_000);
    expect(await auctionsOf(seller)).toBe(0);
  });

  it('limits webhooks to 256 KB before checking their signature: 300 KB unsigned is 413, 200 KB unsigned is 401', async () => {
    const event = (size: number) =>
      JSON.stringify({ id: `evt_${crypto.randomUUID()}`, type: 'charge.captured', data: { pad: 'p'.repeat(size) } });
    const tooBig = await api.call('POST', '/webhooks/payments', { body: event(300 * 1024) });
    expectProblem(tooBig, 413);
    expect(tooBig.body.detail).toMatch(/256 KB/);
    const fits = await api.call('POST', '/webhooks/payments', { body: event(200 * 1024) });
    expectProblem(fits, 401);
  });
});

describe('control characters in text', () => {
  it('refuses NUL, other controls and control characters in keys with 400 naming the field, creating nothing', async () => {
    const seller = `nul-${crypto.randomUUID()}`;
    const nul = await api.call('POST', '/auctions', { as: seller, body: auction('Bike\u0000') });
    expectProblem(nul, 400);
    expect(paths(nul.body)).toEqual(['title']);

    const escape = await api.call('POST', '/auctions', { as: seller, body: auction('Bike \u001b[31mred\u001b[0m') });
    expectProblem(escape, 400);
    expect(paths(escape.body)).toEqual(['title']);

    const del = await api.call('POST', '/auctions', {
      as: seller,
      body: { ...auction('Bike'), startingPrice: { amount: '10.00', currency: 'USD\u007f' } },
    });
    expectProblem(del, 400);
    expect(paths(del.body)).toContain('startingPrice.currency');

    // A key zod would silently strip still has no business carrying a control character.
    const key = await api.call('POST', '/auctions', { as: seller, body: { ...auction('Bike'), 'no\u0000te': 'x' } });
    expectProblem(key, 400);
    expect(paths(key.body)).toEqual(['no\\u0000te']);

    // Tab, line feed and carriage return are ordinary text.
    const plain = await api.call('POST', '/auctions', { as: seller, body: auction('Bike\twith\r\nlines') });
    expect(plain.status).toBe(201);
    const listed = await api.call('GET', '/auctions');
    expect(listed.body.auctions.filter((a: { sellerId: string }) => a.sellerId === seller).map((a: { title: string }) => a.title)).toEqual([
      'Bike\twith\r\nlines',
    ]);
    expect(await auctionsOf(seller)).toBe(1);

    // A customer id in the path is text too.
    const account = await api.call('GET', `/accounts/${encodeURIComponent('bob\u0001')}`, { as: 'bob' });
    expectProblem(account, 400);
    expect(paths(account.body)).toEqual(['id']);
  });

  it('refuses a correctly signed webhook whose fields carry a NUL with 400 naming the field, recording nothing', async () => {
    const send = async (event: object) => {
      const raw = JSON.stringify(event);
      const signature = await signWebhook(api.config.PAYMENTS_WEBHOOK_SECRET, raw, Math.floor(Date.now() / 1000));
      return api.call('POST', '/webhooks/payments', { body: raw, headers: { 'webhook-signature': signature } });
    };
    const inId = await send({ id: `evt_\u0000${crypto.randomUUID()}`, type: 'charge.captured', data: {} });
    expectProblem(inId, 400);
    expect(paths(inId.body)).toEqual(['id']);
    const inData = await send({
      id: `evt_${crypto.randomUUID()}`,
      type: 'charge.captured',
      data: { paymentId: crypto.randomUUID(), providerChargeId: 'ch_\u0000', reason: 'ok' },
    });
    expectProblem(inData, 400);
    expect(paths(inData.body)).toEqual(['data.providerChargeId']);
    const { rows } = await db.pools.read.query("SELECT count(*)::int AS n FROM inbox WHERE consumer = 'webhook:payments'");
    expect(rows[0].n).toBe(0);
  });
});

describe('bearer tokens', () => {
  it('answers 401 to a token without exp and to an expired one, creating nothing', async () => {
    const seller = `exp-${crypto.randomUUID()}`;
    const key = new TextEncoder().encode(api.config.AUTH_SECRET);
    const forever = await new SignJWT({}).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject(seller).setIssuedAt().sign(key);
    const expired = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(seller)
      .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
      .sign(key);
    for (const token of [forever, expired]) {
      const response = await api.call('POST', '/auctions', { body: auction('Lamp'), headers: { authorization: `Bearer ${token}` } });
      expectProblem(response, 401);
    }
    const forever401 = await api.call('GET', `/accounts/${seller}`, { headers: { authorization: `Bearer ${forever}` } });
    expectProblem(forever401, 401);
    expect(forever401.body.detail).toMatch(/exp/);
    expect(await auctionsOf(seller)).toBe(0);
  });
});

describe('Idempotency-Key and refused requests', () => {
  it('stores nothing for a 400, so the corrected request may reuse the key (and is then replayed)', async () => {
    const seller = `idem-${crypto.randomUUID()}`;
    const key = { 'idempotency-key': crypto.randomUUID() };
    const invalid = await api.call('POST', '/auctions', { as: seller, body: auction(''), headers: key });
    expectProblem(invalid, 400);
    const body = auction('Chair');
    const corrected = await api.call('POST', '/auctions', { as: seller, body, headers: key });
    expect(corrected.status).toBe(201);
    expect(corrected.headers.get('idempotent-replayed')).toBeNull();
    const again = await api.call('POST', '/auctions', { as: seller, body, headers: key });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(corrected.body);
    expect(await auctionsOf(seller)).toBe(1);
  });
});

describe('diagnostic pings', () => {
  it("are their sender's only: another customer's read and acknowledgement are 403 and change nothing", async () => {
    const started = await api.call('POST', '/diagnostics/pings', { as: 'alice', body: { message: 'mine', awaitAcknowledgement: true } });
    expect(started.status).toBe(202);
    const { pingId, workflowId } = started.body as { pingId: string; workflowId: string };
    await expect
      .poll(async () => (await api.call('GET', `/diagnostics/pings/${pingId}`, { as: 'alice' })).status, { timeout: 20_000 })
      .toBe(200);
    await expect
      .poll(async () => (await api.call('GET', `/sagas/${workflowId}`, { as: 'alice' })).body.step, { timeout: 20_000 })
      .toBe('awaiting-acknowledgement');

    expectProblem(await api.call('GET', `/diagnostics/pings/${pingId}`, { as: 'mallory' }), 403);
    expectProblem(await api.call('POST', `/diagnostics/pings/${pingId}/acknowledgements`, { as: 'mallory' }), 403);
    // A query sees every signal accepted before it: had mallory's gone through, the ping would be done.
    expect((await api.call('GET', `/sagas/${workflowId}`, { as: 'alice' })).body).toMatchObject({
      status: 'running',
      step: 'awaiting-acknowledgement',
    });

    expectProblem(await api.call('POST', `/diagnostics/pings/${crypto.randomUUID()}/acknowledgements`, { as: 'alice' }), 404);
    expect((await api.call('POST', `/diagnostics/pings/${pingId}/acknowledgements`, { as: 'alice' })).status).toBe(202);
    await expect
      .poll(async () => (await api.call('GET', `/sagas/${workflowId}`, { as: 'alice' })).body.step, { timeout: 20_000 })
      .toBe('done');
  });
});

describe('test deposits', () => {
  it('do not exist when TEST_DEPOSITS is off: 404 and absent from the OpenAPI document', async () => {
    const off = await apiWithoutDeposits.call('POST', '/accounts/dave/deposits', {
      as: 'dave',
      body: { amount: { amount: '1000', currency: 'SAT' } },
    });
    expectProblem(off, 404);
    const { rows } = await db.pools.read.query("SELECT count(*)::int AS n FROM accounts WHERE id = 'dave'");
    expect(rows[0].n).toBe(0);
    const docOff = await apiWithoutDeposits.call('GET', '/openapi.json');
    expect(Object.keys(docOff.body.paths)).toContain('/accounts/{id}');
    expect(Object.keys(docOff.body.paths)).not.toContain('/accounts/{id}/deposits');

    const docOn = await api.call('GET', '/openapi.json');
    expect(Object.keys(docOn.body.paths)).toContain('/accounts/{id}/deposits');
    expect(
      (await api.call('POST', '/accounts/erin/deposits', { as: 'erin', body: { amount: { amount: '1000', currency: 'SAT' } } })).status,
    ).toBe(201);
  });
});
