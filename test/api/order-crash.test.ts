import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHoldingProxy, type HoldingProxy } from '../support/holding-proxy.ts';
import { orderHelpers } from '../support/orders.ts';
import { eventually, startPlatform, type TestPlatform } from '../support/platform.ts';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.ts';

/**
 * The worker process is SIGKILLed in the middle of the two steps of the order that move
 * money: the refund of a rejected order (after the provider refunded, before the
 * activity heard) and the seller's payout (while its transaction waits on the payout's
 * row). A new worker finishes each, and each happens once.
 */
let platform: TestPlatform;
let provider: HoldingProxy;
beforeAll(async () => {
  let upstream = '';
  provider = await startHoldingProxy(() => upstream);
  platform = await startPlatform({ worker: false, env: { PAYMENTS_PROVIDER_URL: provider.url, SETTLEMENT_DELAY: '1s' } });
  upstream = platform.simulators.urls.payments;
}, 120_000);
afterAll(async () => {
  await provider?.close();
  await platform?.stop();
});

const o = orderHelpers(() => platform);

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

async function startWorker(): Promise<WorkerProcess> {
  const worker = startWorkerProcess(platform.config, platform.db.url);
  await worker.ready;
  return worker;
}

describe('a worker killed while an order moves money', () => {
  it('around the refund of a rejected order: the retry refunds once', async () => {
    const first = await startWorker();
    let second: WorkerProcess | undefined;
    try {
      const order = await o.paidAuction('delivery');
      await o.sagaAt(order.sagaId, order.buyer, 'awaiting-seller');
      const { providerChargeId } = await o.payment(order.paymentId, order.buyer);
      const hold = provider.holdNext(`/charges/${providerChargeId}/refunds`);
      expect((await o.call('POST', `/deliveries/${order.id}/reject`, { as: order.seller, body: { reason: 'damaged' } })).status).toBe(200);
      await within(hold.forwarded, 30_000, 'the first worker never asked the provider to refund');
      await first.crash(); // the provider refunded; the activity never heard
      hold.release();

      second = await startWorker();
      expect((await o.sagaEnded(order.sagaId, order.buyer, 60_000)).step).toBe('rejected');
      const { charges } = (await (await fetch(`${platform.simulators.urls.payments}/charges?paymentId=${order.paymentId}`)).json()) as {
        charges: { status: string; refunds: unknown[] }[];
      };
      expect(charges).toMatchObject([{ status: 'refunded', refunds: [expect.anything()] }]);
      expect(await o.payment(order.paymentId, order.buyer)).toMatchObject({ status: 'refunded', refunded: o.usd(order.price) });
      await eventually(
        () => o.kinds(order.buyer),
        (k) => k.includes('payment-refunded'),
      );
      expect((await o.kinds(order.buyer)).filter((k) => k === 'payment-refunded')).toHaveLength(1);
    } finally {
      await first.stop().catch(() => undefined);
      await second?.stop();
    }
  }, 120_000);

  it('around the payout: the retry pays the seller once', async () => {
    const first = await startWorker();
    let second: WorkerProcess | undefined;
    const locker = new pg.Client({ connectionString: platform.db.url });
    await locker.connect();
    try {
      const order = await o.paidAuction('service');
      await o.sagaAt(order.sagaId, order.buyer, 'issued');
      // Held before the payout can be paid: the worker's payout transaction will wait on this row lock.
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE payouts IN SHARE ROW EXCLUSIVE MODE');
      expect((await o.call('POST', `/services/${order.id}/redeem`, { as: order.buyer })).status).toBe(200);
      await within(
        eventually(
          async () =>
            (
              await platform.db.pools.read.query(
                `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE '%payouts%'`,
              )
            ).rows[0].n as number,
          (waiting) => waiting > 0,
        ),
        30_000,
        'the first worker never reached the payout',
      );
      await first.crash(); // mid-transaction: Postgres rolls its work back when the connection drops
      await locker.query('ROLLBACK');

      second = await startWorker();
      expect((await o.sagaEnded(order.sagaId, order.buyer, 60_000)).step).toBe('redeemed');
      const payouts = await o.payouts(order.seller);
      expect(payouts).toMatchObject([{ status: 'paid', gross: o.usd(order.price) }]);
      const { rows } = await platform.db.pools.read.query(
        `SELECT kind, count(*)::int AS n FROM ledger_postings WHERE reference IN ($1::text, $2::text) GROUP BY kind ORDER BY kind`,
        [order.auctionId, payouts[0]!.id],
      );
      expect(rows).toEqual([
        { kind: 'payout', n: 1 },
        { kind: 'sale', n: 1 },
      ]);
      await eventually(
        () => o.kinds(order.seller),
        (k) => k.includes('payout-paid'),
      );
      expect((await o.kinds(order.seller)).filter((k) => k === 'payout-paid')).toHaveLength(1);
    } finally {
      await locker.end();
      await first.stop().catch(() => undefined);
      await second?.stop();
    }
  }, 120_000);
});
