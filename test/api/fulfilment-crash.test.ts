import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHoldingProxy, type HoldingProxy } from '../support/holding-proxy.ts';
import { eventually, startPlatform, type TestPlatform } from '../support/platform.ts';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.ts';

/**
 * The worker process is SIGKILLed while booking the carrier, and while issuing a
 * voucher; a new worker finishes, with one shipment and one code.
 */
let platform: TestPlatform;
let carrier: HoldingProxy;
beforeAll(async () => {
  let upstream = '';
  carrier = await startHoldingProxy(() => upstream);
  platform = await startPlatform({ worker: false, env: { CARRIER_URL: carrier.url } });
  upstream = platform.simulators.urls.carrier;
}, 120_000);
afterAll(async () => {
  await carrier?.close();
  await platform?.stop();
});

const usd = (amount: string) => ({ amount, currency: 'USD' });
const call = (...args: Parameters<TestPlatform['api']['call']>) => platform.api.call(...args);

async function startWorker(): Promise<WorkerProcess> {
  const worker = startWorkerProcess(platform.config, platform.db.url);
  await worker.ready;
  return worker;
}

/** Wins and pays an auction up to the hand-over; returns its ids. */
async function payFor(fulfilment: 'delivery' | 'service') {
  const seller = `seller-${crypto.randomUUID()}`;
  const buyer = `buyer-${crypto.randomUUID()}`;
  const { body: auction } = await call('POST', '/auctions', {
    as: seller,
    body: { title: 'Crash lot', startingPrice: usd('1.00'), endsAt: new Date(Date.now() + 3_600_000).toISOString(), fulfilment },
  });
  await call('POST', `/auctions/${auction.id}/bids`, { as: buyer, body: { amount: usd('2.00') } });
  const { body: ended } = await call('POST', `/auctions/${auction.id}/end`, { as: seller });
  const { body: withPayment } = await eventually(
    () => call('GET', `/auctions/${auction.id}`),
    (r) => Boolean(r.body.paymentId),
  );
  await eventually(
    () => call('GET', `/sagas/${ended.workflowId}`, { as: buyer }),
    (r) => r.body.step === 'awaiting-payment',
  );
  await call('POST', `/payments/${withPayment.paymentId}/charge`, { as: buyer, body: { cardToken: 'tok_visa' } });
  return { auctionId: auction.id as string, sagaId: ended.workflowId as string, buyer };
}

describe('a crashing worker during fulfilment', () => {
  it('killed while booking the carrier: the retry books the same shipment', async () => {
    const first = await startWorker();
    const hold = carrier.holdNext('/shipments');
    const { auctionId, buyer } = await payFor('delivery');
    await hold.forwarded; // the carrier booked it; the activity waits for the answer…
    await first.crash(); // …and dies
    hold.release();

    const second = await startWorker();
    try {
      const { body: auction } = await eventually(
        () => call('GET', `/auctions/${auctionId}`),
        (r) => Boolean(r.body.deliveryId),
      );
      const delivery = await eventually(
        () => call('GET', `/deliveries/${auction.deliveryId}`, { as: buyer }),
        (r) => Boolean(r.body.trackingNumber),
        60_000,
      );
      const shipments = (
        (await (await fetch(`${platform.simulators.urls.carrier}/shipments?deliveryId=${auction.deliveryId}`)).json()) as {
          shipments: { trackingNumber: string }[];
        }
      ).shipments;
      expect(shipments).toHaveLength(1);
      expect(shipments[0]!.trackingNumber).toBe(delivery.body.trackingNumber);
      const saga = await call('GET', `/sagas/delivery-fulfilment-${auction.deliveryId}`, { as: buyer });
      expect(saga.body.step).toBe('awaiting-shipment');
    } finally {
      await second.stop();
    }
  }, 90_000);

  it('killed around issuing the voucher: one code, e-mailed once', async () => {
    const first = await startWorker();
    const { auctionId, buyer } = await payFor('service');
    // Kill as soon as the service saga exists: during or just around the voucher activity.
    await eventually(
      async () =>
        (
          await platform.db.pools.read.query("SELECT 1 FROM event_store WHERE aggregate_id = $1 AND event_type = 'AuctionPaid'", [
            auctionId,
          ])
        ).rowCount,
      (n) => n === 1,
    );
    await first.crash();
    const second = await startWorker();
    try {
      const { body: auction } = await eventually(
        () => call('GET', `/auctions/${auctionId}`),
        (r) => Boolean(r.body.serviceId),
        60_000,
      );
      await eventually(
        () => call('GET', `/sagas/service-fulfilment-${auction.serviceId}`, { as: buyer }),
        (r) => r.body.status === 'completed',
        60_000,
      );
      const { rows } = await platform.db.pools.read.query('SELECT code FROM service_transactions WHERE auction_id = $1', [auctionId]);
      expect(rows).toHaveLength(1);
      const mails = await eventually(
        async () =>
          (await call('GET', `/customers/${buyer}/notifications`, { as: buyer })).body.notifications.filter(
            (n: { kind: string }) => n.kind === 'voucher-issued',
          ),
        (list) => list.length > 0,
      );
      expect(mails).toHaveLength(1);
      expect(mails[0].data.code).toBe(rows[0].code);
    } finally {
      await second.stop();
    }
  }, 90_000);
});
