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

/** The promise's value, or a failure saying `what` did not happen within `ms`. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} (waited ${ms} ms)`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

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
  return { auctionId: auction.id as string, sagaId: ended.workflowId as string, buyer, seller };
}

describe('a crashing worker during fulfilment', () => {
  /*
   * Where the time goes (measured beside the chaos run on two cores): two worker starts,
   * about 20 s each at worst; the sale, a few seconds; then the retry, which cannot come
   * before the dead attempt's startToClose (10 s, OUTSIDE_CALL) and backoff (0.5 s) have
   * passed, while the second worker starts. Each step that could hang is bounded on its
   * own, so a failure names the step instead of running into the test's timeout.
   */
  it('killed while booking the carrier: the retry books the same shipment', async () => {
    const first = await startWorker();
    const hold = carrier.holdNext('/shipments');
    const { auctionId, buyer, seller } = await payFor('delivery');
    const { body: paid } = await eventually(
      () => call('GET', `/auctions/${auctionId}`),
      (r) => Boolean(r.body.deliveryId),
    );
    await eventually(
      () => call('POST', `/deliveries/${paid.deliveryId}/accept`, { as: seller }),
      (r) => r.status === 200,
    );
    // The carrier booked it; the activity waits for the answer…
    await within(hold.forwarded, 30_000, 'the first worker never booked the carrier');
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
      // The activity records the tracking number before it completes; the saga moves on only
      // when a workflow task takes that completion. That task may first be offered to the dead
      // worker's sticky queue (up to 10 s, stickyQueueScheduleToStartTimeout), then replays the
      // history on the new worker; meanwhile the route's 3 s query bound answers the old step.
      const saga = await eventually(
        () => call('GET', `/sagas/delivery-fulfilment-${auction.deliveryId}`, { as: buyer }),
        (r) => r.body.step !== 'booking-carrier',
      );
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
        (r) => r.body.step === 'issued',
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
