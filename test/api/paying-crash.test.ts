import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/platform/launch/free-port.ts';
import { eventually, startPlatform, type TestPlatform } from '../support/platform.ts';
import { replayRecordedHistories } from '../support/replay.ts';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.ts';

/**
 * Crashes: the worker process is SIGKILLed while the saga waits for payment, and while
 * the charge activity is in the middle of its call to the provider. A new worker
 * process finishes the saga, and the provider has charged exactly once.
 */
let platform: TestPlatform;
let proxy: Server;
let proxyUrl: string;
/** When set, the proxy forwards the next charge and then holds the answer until released. */
let holdNextCharge: { forwarded: () => void; released: Promise<void> } | undefined;
const ran: string[] = [];

beforeAll(async () => {
  // A proxy in front of the provider simulator, so a test can catch a charge in flight.
  const port = await freePort();
  proxyUrl = `http://127.0.0.1:${port}`;
  platform = await startPlatform({ worker: false, env: { PAYMENTS_PROVIDER_URL: proxyUrl } });
  proxy = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const upstream = await fetch(`${platform.simulators.urls.payments}${request.url}`, {
      method: request.method,
      headers: Object.fromEntries(Object.entries(request.headers).filter(([k]) => ['content-type', 'idempotency-key'].includes(k))) as Record<string, string>,
      body: chunks.length ? Buffer.concat(chunks) : undefined,
    });
    const body = await upstream.text();
    const hold = request.url === '/charges' ? holdNextCharge : undefined;
    if (hold) {
      holdNextCharge = undefined;
      hold.forwarded();
      await hold.released;
    }
    response.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => proxy.listen(port, '127.0.0.1', resolve));
}, 120_000);

afterAll(async () => {
  proxy?.close();
  await platform?.stop();
});

const usd = (amount: string) => ({ amount, currency: 'USD' });

async function startWorker(): Promise<WorkerProcess> {
  const worker = startWorkerProcess(platform.config, platform.db.url);
  await worker.ready;
  return worker;
}

async function wonAuction() {
  const seller = `seller-${crypto.randomUUID()}`;
  const winner = `winner-${crypto.randomUUID()}`;
  const { body: auction } = await platform.api.call('POST', '/auctions', {
    as: seller,
    body: { title: 'Crash-proof', startingPrice: usd('1.00'), endsAt: new Date(Date.now() + 3_600_000).toISOString(), fulfilment: 'delivery' },
  });
  await platform.api.call('POST', `/auctions/${auction.id}/bids`, { as: winner, body: { amount: usd('2.00') } });
  const { body: ended } = await platform.api.call('POST', `/auctions/${auction.id}/end`, { as: seller });
  ran.push(ended.workflowId, `auction-closing-${auction.id}`);
  const { body: withPayment } = await eventually(() => platform.api.call('GET', `/auctions/${auction.id}`), (r) => Boolean(r.body.paymentId));
  await eventually(() => platform.api.call('GET', `/sagas/${ended.workflowId}`, { as: winner }), (r) => r.body.step === 'awaiting-payment');
  return { auctionId: auction.id as string, sagaId: ended.workflowId as string, paymentId: withPayment.paymentId as string, winner };
}

const chargesAtProvider = async (paymentId: string) =>
  ((await (await fetch(`${platform.simulators.urls.payments}/charges?paymentId=${paymentId}`)).json()) as { charges: unknown[] }).charges;

describe('a crashing worker', () => {
  it('is replaced while the saga waits for payment, and the saga finishes', async () => {
    const first = await startWorker();
    const { auctionId, sagaId, paymentId, winner } = await wonAuction();

    await first.crash();
    const second = await startWorker();
    try {
      await platform.api.call('POST', `/payments/${paymentId}/charge`, { as: winner, body: { cardToken: 'tok_visa' } });
      await eventually(() => platform.api.call('GET', `/sagas/${sagaId}`, { as: winner }), (r) => r.body.status === 'completed', 45_000);
      expect((await platform.api.call('GET', `/auctions/${auctionId}`)).body.status).toBe('paid');
      expect(await chargesAtProvider(paymentId)).toHaveLength(1);
    } finally {
      await second.stop();
    }
  });

  it('is killed while the charge is in flight; the retry charges nothing twice', async () => {
    const first = await startWorker();
    const { auctionId, sagaId, paymentId, winner } = await wonAuction();

    let release!: () => void;
    const forwarded = new Promise<void>((resolve) => {
      holdNextCharge = { forwarded: resolve, released: new Promise((r) => (release = r)) };
    });
    await platform.api.call('POST', `/payments/${paymentId}/charge`, { as: winner, body: { cardToken: 'tok_visa' } });
    await forwarded; // the provider has the charge; the activity awaits its answer…
    await first.crash(); // …and dies before it arrives
    release();

    const second = await startWorker();
    try {
      await eventually(() => platform.api.call('GET', `/sagas/${sagaId}`, { as: winner }), (r) => r.body.status === 'completed', 60_000);
      expect((await platform.api.call('GET', `/auctions/${auctionId}`)).body.status).toBe('paid');
      expect((await platform.api.call('GET', `/payments/${paymentId}`, { as: winner })).body.status).toBe('captured');
      expect(await chargesAtProvider(paymentId)).toHaveLength(1);
    } finally {
      await second.stop();
    }
  }, 90_000);

  it('leaves histories that replay deterministically', async () => {
    expect(await replayRecordedHistories(platform.workflows, ran)).toBe(ran.length);
  });
});
