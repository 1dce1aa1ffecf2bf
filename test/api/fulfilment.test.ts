import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signWebhook } from '../../src/platform/http/webhook-signature.ts';
import { orderHelpers } from '../support/orders.ts';
import { eventually, startPlatform, type TestPlatform } from '../support/platform.ts';
import { replayRecordedHistories } from '../support/replay.ts';

/**
 * Delivery and service fulfilment end to end, through HTTP and the carrier simulator,
 * with carrier deadlines of seconds.
 */
let platform: TestPlatform;
const ran: string[] = [];
beforeAll(async () => {
  platform = await startPlatform({ env: { SHIPPING_DEADLINE: '4s', DELIVERY_DEADLINE: '4s', SETTLEMENT_DELAY: '1s' } });
}, 120_000);
afterAll(() => platform?.stop());

const usd = (amount: string) => ({ amount, currency: 'USD' });
const call = (...args: Parameters<TestPlatform['api']['call']>) => platform.api.call(...args);
const kinds = async (who: string) =>
  (await call('GET', `/customers/${who}/notifications`, { as: who })).body.notifications.map((n: { kind: string }) => n.kind) as string[];

const o = orderHelpers(() => platform);

/** An auction won and paid for with tok_visa; returns its ids once fulfilment has begun, each saga kept for the replay test. */
async function paidAuction(fulfilment: 'delivery' | 'service') {
  const order = await o.paidAuction(fulfilment, '4.00');
  ran.push(order.payingSagaId, `auction-closing-${order.auctionId}`, order.sagaId);
  return order;
}

async function carrierSays(trackingNumber: string, type: string) {
  const response = await fetch(`${platform.simulators.urls.carrier}/shipments/${trackingNumber}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type }),
  });
  expect(response.status).toBe(202);
}

/** The seller accepts the paid order, so the saga books the carrier. */
async function accept(deliveryId: string, seller: string) {
  const accepted = await call('POST', `/deliveries/${deliveryId}/accept`, { as: seller });
  expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
}

const trackingOf = async (deliveryId: string, buyer: string) =>
  (
    await eventually(
      () => call('GET', `/deliveries/${deliveryId}`, { as: buyer }),
      (r) => Boolean(r.body.trackingNumber),
    )
  ).body.trackingNumber as string;

describe('delivery fulfilment', () => {
  it('books the carrier once the seller accepts, follows the package to the door, and pays the seller once the buyer confirms', async () => {
    const { id, sagaId, buyer, seller } = await paidAuction('delivery');
    const delivery = (await call('GET', `/deliveries/${id}`, { as: seller })).body;
    expect(delivery).toMatchObject({ status: 'pending', trackingNumber: null });
    await accept(id, seller);
    const tracking = await trackingOf(id, buyer);

    await carrierSays(tracking, 'package.shipped');
    await eventually(
      () => call('GET', `/deliveries/${id}`, { as: buyer }),
      (r) => r.body.status === 'shipped',
    );
    await carrierSays(tracking, 'package.delivered');
    await eventually(
      () => call('GET', `/sagas/${sagaId}`, { as: buyer }),
      (r) => r.body.step === 'awaiting-confirmation',
    );
    expect((await call('GET', `/deliveries/${id}`, { as: buyer })).body.status).toBe('delivered');
    expect((await call('POST', `/deliveries/${id}/confirm`, { as: buyer })).body.status).toBe('confirmed');
    await eventually(
      () => call('GET', `/sagas/${sagaId}`, { as: buyer }),
      (r) => r.body.status === 'completed',
    );
    const { body: payouts } = await call('GET', `/customers/${seller}/payouts`, { as: seller });
    expect(payouts.payouts).toMatchObject([{ gross: usd('4.00'), fee: usd('0.20'), net: usd('3.80'), status: 'paid' }]);
    expect(
      await eventually(
        () => kinds(buyer),
        (k) => k.includes('package-delivered'),
      ),
    ).toEqual(expect.arrayContaining(['order-accepted', 'shipment-booked', 'package-shipped', 'package-delivered']));
    expect((await call('GET', `/deliveries/${id}`, { as: 'stranger' })).status).toBe(403);

    const events = (await call('GET', `/deliveries/${id}/events`, { as: buyer })).body as { type: string; aggregateVersion: number }[];
    expect(events.map((e) => e.type)).toEqual([
      'DeliveryCreated',
      'OrderAccepted',
      'ShipmentBooked',
      'PackageShipped',
      'PackageDelivered',
      'DeliveryConfirmed',
    ]);
    expect(events.map((e) => e.aggregateVersion)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('refunds a lost package once, marks the auction refunded, and shrugs off duplicated carrier webhooks', async () => {
    const { auctionId, paymentId, id, sagaId, buyer, seller } = await paidAuction('delivery');
    await accept(id, seller);
    const tracking = await trackingOf(id, buyer);
    await carrierSays(tracking, 'package.shipped');
    await eventually(
      () => call('GET', `/deliveries/${id}`, { as: buyer }),
      (r) => r.body.status === 'shipped',
    );

    // The same webhook twice (one event id), and the same fact again under a new id.
    const duplicate = JSON.stringify({
      id: `evt_${crypto.randomUUID()}`,
      type: 'package.shipped',
      data: { deliveryId: id, trackingNumber: tracking },
    });
    for (let i = 0; i < 2; i++) {
      const signature = await signWebhook(platform.config.CARRIER_WEBHOOK_SECRET, duplicate, Math.floor(Date.now() / 1000));
      const response = await fetch(`${platform.api.url}/webhooks/carrier`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'webhook-signature': signature },
        body: duplicate,
      });
      expect(response.status).toBe(200);
    }
    await carrierSays(tracking, 'package.shipped');

    await carrierSays(tracking, 'package.lost');
    await eventually(
      () => call('GET', `/sagas/${sagaId}`, { as: buyer }),
      (r) => r.body.status === 'completed',
    );
    expect((await call('GET', `/sagas/${sagaId}`, { as: buyer })).body.step).toBe('lost');
    await eventually(
      () => call('GET', `/payments/${paymentId}`, { as: buyer }),
      (r) => r.body.status === 'refunded',
    );
    expect((await call('GET', `/auctions/${auctionId}`)).body.status).toBe('refunded');
    await eventually(
      () => kinds(buyer),
      (k) => k.includes('package-lost') && k.includes('payment-refunded'),
    );

    const payment = (await call('GET', `/payments/${paymentId}`, { as: buyer })).body;
    // The provider holds one refund for the charge (a second refund of a charge is refused there).
    const charge = (await (await fetch(`${platform.simulators.urls.payments}/charges/${payment.providerChargeId}`)).json()) as Record<
      string,
      unknown
    >;
    expect(charge).toMatchObject({ status: 'refunded', refundId: expect.any(String) });
    const events = (await call('GET', `/deliveries/${id}/events`, { as: buyer })).body.map((e: { type: string }) => e.type);
    expect(events.filter((t: string) => t === 'PackageShipped')).toHaveLength(1);
    expect(events).toEqual(['DeliveryCreated', 'OrderAccepted', 'ShipmentBooked', 'PackageShipped', 'PackageLost']);
  });

  it('tells buyer and seller when a deadline passes, waits once more, then gives the package up as lost', async () => {
    const { auctionId, paymentId, id, sagaId, buyer, seller } = await paidAuction('delivery');
    await accept(id, seller);
    await eventually(
      () => kinds(seller),
      (k) => k.includes('delivery-delayed'),
      15_000,
    );
    expect(
      await eventually(
        () => kinds(buyer),
        (k) => k.includes('delivery-delayed'),
      ),
    ).toBeTruthy();
    await eventually(
      () => call('GET', `/sagas/${sagaId}`, { as: buyer }),
      (r) => r.body.status === 'completed',
      20_000,
    );
    expect((await call('GET', `/deliveries/${id}`, { as: buyer })).body).toMatchObject({ status: 'lost', missedDeadlines: 2 });
    await eventually(
      () => call('GET', `/payments/${paymentId}`, { as: buyer }),
      (r) => r.body.status === 'refunded',
    );
    expect((await call('GET', `/auctions/${auctionId}`)).body.status).toBe('refunded');
  }, 40_000);
});

describe('service fulfilment', () => {
  it('issues the voucher once, e-mails it, lets the buyer redeem it once, and pays the seller', async () => {
    const { id, sagaId, buyer, seller } = await paidAuction('service');
    await eventually(
      () => call('GET', `/sagas/${sagaId}`, { as: buyer }),
      (r) => r.body.step === 'issued',
    );
    const forBuyer = (await call('GET', `/services/${id}`, { as: buyer })).body;
    expect(forBuyer).toMatchObject({ status: 'issued', code: expect.stringMatching(/^[A-Z0-9]{4}(-[A-Z0-9]{4}){3}$/) });
    expect((await call('GET', `/services/${id}`, { as: seller })).body.code).toBeUndefined();

    const mails = (
      await eventually(
        () => call('GET', `/customers/${buyer}/notifications`, { as: buyer }),
        (r) => r.body.notifications.some((n: { kind: string }) => n.kind === 'voucher-issued'),
      )
    ).body.notifications.filter((n: { kind: string }) => n.kind === 'voucher-issued');
    expect(mails).toHaveLength(1);
    expect(mails[0].data.code).toBe(forBuyer.code);

    expect((await call('POST', `/services/${id}/redeem`, { as: seller })).status).toBe(403);
    expect((await call('POST', `/services/${id}/redeem`, { as: buyer })).body.status).toBe('redeemed');
    expect((await call('POST', `/services/${id}/redeem`, { as: buyer })).status).toBe(409);
    const events = (await call('GET', `/services/${id}/events`, { as: buyer })).body.map(
      (e: { type: string; aggregateVersion: number }) => [e.aggregateVersion, e.type],
    );
    expect(events).toEqual([
      [1, 'VoucherIssued'],
      [2, 'VoucherRedeemed'],
    ]);
    await eventually(
      () => call('GET', `/sagas/${sagaId}`, { as: buyer }),
      (r) => r.body.status === 'completed',
    );
    expect((await call('GET', `/customers/${seller}/payouts`, { as: seller })).body.payouts).toMatchObject([
      { net: usd('3.80'), status: 'paid' },
    ]);
  });

  it('leaves histories that replay deterministically', async () => {
    expect(await replayRecordedHistories(platform.workflows, ran)).toBe(ran.length);
  });
});
