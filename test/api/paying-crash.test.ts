import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHoldingProxy, type HoldingProxy } from '../support/holding-proxy.ts';
import { eventually, startPlatform, type TestPlatform } from '../support/platform.ts';
import { replayRecordedHistories } from '../support/replay.ts';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.ts';

/**
 * Crashes: the worker process is SIGKILLed while the saga waits for payment, and while
 * the charge activity is in the middle of its call to the provider. A new worker
 * process finishes the saga, and the provider has charged exactly once.
 */
let platform: TestPlatform;
/** In front of the provider simulator, so a test can catch a charge in flight. */
let provider: HoldingProxy;
const ran: string[] = [];

beforeAll(async () => {
  let upstream = '';
  provider = await startHoldingProxy(() => upstream);
  platform = await startPlatform({ worker: false, env: { PAYMENTS_PROVIDER_URL: provider.url } });
  upstream = platform.simulators.urls.payments;
}, 120_000);

afterAll(async () => {
  await provider?.close();
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
    body: {
      title: 'Crash-proof',
      startingPrice: usd('1.00'),
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      fulfilment: 'delivery',
    },
  });
  await platform.api.call('POST', `/auctions/${auction.id}/bids`, { as: winner, body: { amount: usd('2.00') } });
  const { body: ended } = await platform.api.call('POST', `/auctions/${auction.id}/end`, { as: seller });
  ran.push(ended.workflowId, `auction-closing-${auction.id}`);
  const { body: withPayment } = await eventually(
    () => platform.api.call('GET', `/auctions/${auction.id}`),
    (r) => Boolean(r.body.paymentId),
  );
  await eventually(
    () => platform.api.call('GET', `/sagas/${ended.workflowId}`, { as: winner }),
    (r) => r.body.step === 'awaiting-payment',
  );
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
      await eventually(
        () => platform.api.call('GET', `/sagas/${sagaId}`, { as: winner }),
        (r) => r.body.status === 'completed',
        45_000,
      );
      expect((await platform.api.call('GET', `/auctions/${auctionId}`)).body.status).toBe('paid');
      expect(await chargesAtProvider(paymentId)).toHaveLength(1);
    } finally {
      await second.stop();
    }
  });

  it('is killed while the charge is in flight; the retry charges nothing twice', async () => {
    const first = await startWorker();
    const { auctionId, sagaId, paymentId, winner } = await wonAuction();

    const hold = provider.holdNext('/charges');
    await platform.api.call('POST', `/payments/${paymentId}/charge`, { as: winner, body: { cardToken: 'tok_visa' } });
    await hold.forwarded; // the provider has the charge; the activity awaits its answer…
    await first.crash(); // …and dies before it arrives
    hold.release();

    const second = await startWorker();
    try {
      await eventually(
        () => platform.api.call('GET', `/sagas/${sagaId}`, { as: winner }),
        (r) => r.body.status === 'completed',
        60_000,
      );
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
