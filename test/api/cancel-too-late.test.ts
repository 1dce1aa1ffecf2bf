import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHoldingProxy, type HoldingProxy } from '../support/holding-proxy.ts';
import { orderHelpers } from '../support/orders.ts';
import { eventually, startPlatform, type TestPlatform } from '../support/platform.ts';
import { replayRecordedHistories } from '../support/replay.ts';

/**
 * The one cancellation the carrier can still refuse: the buyer cancels while the
 * carrier's booking is being recorded (so the route has no booking to cancel first), and
 * the parcel leaves before the saga cancels it. The buyer's money is not given back while
 * the parcel may be in their hands: the order becomes a return, refunded on arrival.
 */
let platform: TestPlatform;
let carrier: HoldingProxy;
beforeAll(async () => {
  let upstream = '';
  carrier = await startHoldingProxy(() => upstream);
  platform = await startPlatform({ env: { CARRIER_URL: carrier.url } });
  upstream = platform.simulators.urls.carrier;
}, 120_000);
afterAll(async () => {
  await carrier?.close();
  await platform?.stop();
});

const o = orderHelpers(() => platform);

describe('a cancellation that reaches the carrier too late', () => {
  it('turns the order into a return, refunded only once the parcel is back', async () => {
    const order = await o.paidAuction('delivery');
    await o.sagaAt(order.sagaId, order.buyer, 'awaiting-seller');
    const hold = carrier.holdNext('/shipments');
    expect((await o.call('POST', `/deliveries/${order.id}/accept`, { as: order.seller })).status).toBe(200);
    await hold.forwarded; // booked at the carrier; our record does not know it yet
    expect((await o.call('POST', `/deliveries/${order.id}/cancel`, { as: order.buyer })).status).toBe(200);
    const { shipments } = (await (await fetch(`${platform.simulators.urls.carrier}/shipments?deliveryId=${order.id}`)).json()) as {
      shipments: { trackingNumber: string }[];
    };
    expect(await o.carrierSays(shipments[0]!.trackingNumber, 'package.shipped')).toBe(202);
    hold.release();

    const { body } = await eventually(
      () => o.call('GET', `/deliveries/${order.id}`, { as: order.buyer }),
      (r) => Boolean(r.body.returnTrackingNumber),
    );
    expect(body).toMatchObject({ status: 'return-requested', trackingNumber: shipments[0]!.trackingNumber });
    expect((await o.payment(order.paymentId, order.buyer)).status).toBe('captured'); // not while the buyer may hold it
    await eventually(
      () => o.kinds(order.buyer),
      (k) => k.includes('cancellation-too-late') && k.includes('return-booked'),
    );
    await o.carrierSays(body.returnTrackingNumber, 'package.returned');
    expect((await o.sagaEnded(order.sagaId, order.buyer)).step).toBe('returned');
    expect(await o.payment(order.paymentId, order.buyer)).toMatchObject({ status: 'refunded', refunded: o.usd(order.price) });
    expect((await o.events('deliveries', order.id, order.buyer)).map((e) => [e.type, e.actor])).toEqual([
      ['DeliveryCreated', 'platform'],
      ['OrderAccepted', 'seller'],
      ['OrderCancelled', 'buyer'],
      ['ShipmentBooked', 'platform'],
      ['CancellationTooLate', 'carrier'],
      ['ReturnBooked', 'platform'],
      ['PackageReturned', 'carrier'],
    ]);
    expect(await replayRecordedHistories(platform.workflows, [order.sagaId])).toBe(1);
  });
});
