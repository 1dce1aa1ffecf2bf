import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderHelpers } from '../support/orders.ts';
import { eventually, startPlatform, type TestPlatform } from '../support/platform.ts';
import { replayRecordedHistories } from '../support/replay.ts';

/**
 * The order after payment end to end, through HTTP, the carrier and the provider
 * simulators, with windows of seconds: the seller's answer, the buyer's cancellation,
 * confirmation (by the buyer or the timer, after a reminder), returns, and the seller's
 * payout. Every race the issue names runs several times at once, each with one outcome
 * that the money agrees with; the file ends with the money invariants (platform.stop).
 */
const SELLER_RESPONSE_WINDOW_MS = 8_000;
let platform: TestPlatform;
const sagas: string[] = [];
beforeAll(async () => {
  platform = await startPlatform({
    env: {
      SELLER_RESPONSE_WINDOW: `${SELLER_RESPONSE_WINDOW_MS}ms`,
      CONFIRMATION_WINDOW: '8s',
      CONFIRMATION_REMINDER: '4s',
      SETTLEMENT_DELAY: '1s',
      PLATFORM_FEE: '2.5%',
    },
  });
}, 120_000);
afterAll(() => platform?.stop());

const o = orderHelpers(() => platform);
const { call, usd } = o;
const post = (path: string, as: string, body?: unknown) => call('POST', path, { as, ...(body === undefined ? {} : { body }) });
const track = <T extends { sagaId: string }>(order: T) => (sagas.push(order.sagaId), order);

/** What the buyer got back and what the seller was paid add up to what the buyer paid, and nothing is paid twice. */
async function expectMoneyAddsUp(order: { paymentId: string; buyer: string; seller: string; price: string }, refunded: string) {
  const payment = await o.payment(order.paymentId, order.buyer);
  expect(payment.refunded ?? usd('0.00')).toEqual(usd(refunded));
  const payouts = await o.payouts(order.seller);
  const gross = payouts.reduce((sum, p) => sum + Math.round(Number(p.gross.amount) * 100), 0);
  expect(gross + Math.round(Number(refunded) * 100)).toBe(Math.round(Number(order.price) * 100));
  expect(payouts.every((p) => p.status === 'paid')).toBe(true);
}

describe('the seller answers', () => {
  it('rejects: the buyer is refunded in full, both are told, and no carrier is booked', async () => {
    const order = track(await o.paidAuction('delivery'));
    await o.sagaAt(order.sagaId, order.buyer, 'awaiting-seller');
    const key = { 'idempotency-key': `reject-${order.id}` };
    const rejected = await call('POST', `/deliveries/${order.id}/reject`, {
      as: order.seller,
      body: { reason: 'out of stock' },
      headers: key,
    });
    expect(rejected.status).toBe(200);
    // The same key again: the first answer, replayed; with another body: 422.
    const replayed = await call('POST', `/deliveries/${order.id}/reject`, {
      as: order.seller,
      body: { reason: 'out of stock' },
      headers: key,
    });
    expect([replayed.status, replayed.headers.get('idempotent-replayed'), replayed.body.version]).toEqual([
      200,
      'true',
      rejected.body.version,
    ]);
    expect(
      (await call('POST', `/deliveries/${order.id}/reject`, { as: order.seller, body: { reason: 'other' }, headers: key })).status,
    ).toBe(422);
    expect(rejected.body).toMatchObject({ status: 'rejected', reason: 'out of stock', trackingNumber: null });
    expect((await o.sagaEnded(order.sagaId, order.buyer)).step).toBe('rejected');
    expect((await call('GET', `/auctions/${order.auctionId}`)).body.status).toBe('refunded');
    expect((await o.payment(order.paymentId, order.buyer)).status).toBe('refunded');
    await expectMoneyAddsUp(order, order.price);
    for (const who of [order.buyer, order.seller]) {
      await eventually(
        () => o.kinds(who),
        (k) => k.includes('order-rejected'),
      );
    }
    const shipments = await (await fetch(`${platform.simulators.urls.carrier}/shipments?deliveryId=${order.id}`)).json();
    expect(shipments).toEqual({ shipments: [] });
    const events = await o.events('deliveries', order.id, order.seller);
    expect(events.map((e) => [e.type, e.actor])).toEqual([
      ['DeliveryCreated', 'platform'],
      ['OrderRejected', 'seller'],
    ]);
  });

  it('stays silent: the response window rejects the order, recorded as the timer', async () => {
    const order = track(await o.paidAuction('delivery'));
    expect((await o.sagaEnded(order.sagaId, order.buyer, SELLER_RESPONSE_WINDOW_MS + 20_000)).step).toBe('rejected');
    expect(await o.delivery(order.id, order.buyer)).toMatchObject({ status: 'rejected' });
    const events = await o.events('deliveries', order.id, order.buyer);
    expect(events.at(-1)).toMatchObject({ type: 'OrderRejected', actor: 'timer' });
    await expectMoneyAddsUp(order, order.price);
    // Too late now: the window decided.
    expect((await post(`/deliveries/${order.id}/accept`, order.seller)).status).toBe(409);
  }, 60_000);

  it('refuses every wrong actor with 403, whatever the route, and changes nothing', async () => {
    const order = track(await o.paidAuction('delivery'));
    await o.sagaAt(order.sagaId, order.buyer, 'awaiting-seller');
    const stranger = `stranger-${crypto.randomUUID()}`;
    const attempts: [string, string, unknown?][] = [
      ['accept', order.buyer],
      ['accept', stranger],
      ['reject', order.buyer, { reason: 'no' }],
      ['reject', stranger, { reason: 'no' }],
      ['cancel', order.seller],
      ['cancel', stranger],
      ['confirm', order.seller],
      ['confirm', stranger],
      ['returns', order.seller, { reason: 'no' }],
      ['returns', stranger, { reason: 'no' }],
    ];
    for (const [route, who, body] of attempts) {
      const answer = await post(`/deliveries/${order.id}/${route}`, who, body);
      expect([route, who === stranger ? 'stranger' : who, answer.status]).toEqual([route, who === stranger ? 'stranger' : who, 403]);
      expect(answer.headers.get('content-type')).toContain('application/problem+json');
    }
    expect(await o.delivery(order.id, order.seller)).toMatchObject({ status: 'pending', version: 1 });
    // Bad input: problem+json naming the field, nothing changed.
    const noReason = await post(`/deliveries/${order.id}/reject`, order.seller, {});
    expect(noReason.status).toBe(400);
    expect(noReason.body.errors).toEqual([expect.objectContaining({ path: 'reason' })]);
    for (const reason of ['   ', 'x'.repeat(501), 'a\u0000b', 42]) {
      expect((await post(`/deliveries/${order.id}/reject`, order.seller, { reason })).status).toBe(400);
    }
    expect((await post(`/deliveries/${crypto.randomUUID()}/accept`, order.seller)).status).toBe(404);
    expect((await post('/deliveries/not-a-uuid/accept', order.seller)).status).toBe(400);
    expect((await call('POST', `/deliveries/${order.id}/accept`)).status).toBe(401);
    expect(await o.delivery(order.id, order.seller)).toMatchObject({ status: 'pending', version: 1 });
    // A double click accepts once: both answered 200, one event.
    const [first, second] = await Promise.all([
      post(`/deliveries/${order.id}/accept`, order.seller),
      post(`/deliveries/${order.id}/accept`, order.seller),
    ]);
    expect([first.status, second.status]).toEqual([200, 200]);
    const accepted = (await o.events('deliveries', order.id, order.seller)).filter((e) => e.type === 'OrderAccepted');
    expect(accepted).toHaveLength(1);
    await post(`/deliveries/${order.id}/cancel`, order.buyer);
    await o.sagaEnded(order.sagaId, order.buyer);
  });
});

describe('the buyer', () => {
  it('cancels before the seller answers, and after the booking (which is cancelled at the carrier); once shipped, 409', async () => {
    const early = track(await o.paidAuction('delivery'));
    await o.sagaAt(early.sagaId, early.buyer, 'awaiting-seller');
    expect((await post(`/deliveries/${early.id}/cancel`, early.buyer)).body.status).toBe('cancelled');

    const booked = track(await o.acceptedDelivery());
    expect((await post(`/deliveries/${booked.id}/cancel`, booked.buyer)).body.status).toBe('cancelled');
    expect((await post(`/deliveries/${booked.id}/cancel`, booked.buyer)).status).toBe(200); // a repeat, answered alike

    const shipped = track(await o.acceptedDelivery());
    expect(await o.carrierSays(shipped.trackingNumber, 'package.shipped')).toBe(202);
    await eventually(
      () => o.delivery(shipped.id, shipped.buyer),
      (d) => d.status === 'shipped',
    );
    const late = await post(`/deliveries/${shipped.id}/cancel`, shipped.buyer);
    expect(late.status).toBe(409);
    expect(late.body.detail).toContain('shipped');

    for (const order of [early, booked]) {
      expect((await o.sagaEnded(order.sagaId, order.buyer)).step).toBe('cancelled');
      await expectMoneyAddsUp(order, order.price);
      expect((await call('GET', `/auctions/${order.auctionId}`)).body.status).toBe('refunded');
    }
    const atCarrier = await (await fetch(`${platform.simulators.urls.carrier}/shipments/${booked.trackingNumber}`)).json();
    expect(atCarrier).toMatchObject({ status: 'cancelled' });
    expect(await o.carrierSays(booked.trackingNumber, 'package.shipped')).toBe(409);
    await eventually(
      () => o.kinds(early.seller),
      (k) => k.includes('order-cancelled'),
    );
    await o.carrierSays(shipped.trackingNumber, 'package.delivered');
    await o.sagaAt(shipped.sagaId, shipped.buyer, 'awaiting-confirmation');
    expect((await post(`/deliveries/${shipped.id}/confirm`, shipped.buyer)).body.status).toBe('confirmed');
    await o.sagaEnded(shipped.sagaId, shipped.buyer);
    await expectMoneyAddsUp(shipped, '0.00');
  });

  it('says nothing after delivery: reminded, then confirmed by the timer; the seller is paid once, less the fee', async () => {
    const order = track(await o.acceptedDelivery('40.00'));
    await o.carrierSays(order.trackingNumber, 'package.delivered');
    await eventually(
      () => o.kinds(order.buyer),
      (k) => k.includes('confirmation-reminder'),
      15_000,
    );
    expect((await o.delivery(order.id, order.buyer)).status).toBe('delivered');
    const saga = await o.sagaEnded(order.sagaId, order.buyer);
    expect(saga.step).toBe('confirmed');
    expect(saga.history.map((h) => h.step)).toEqual(expect.arrayContaining(['buyer-reminded', 'scheduling-payout', 'paying-out']));
    expect(await o.delivery(order.id, order.buyer)).toMatchObject({ status: 'confirmed' });
    const events = await o.events('deliveries', order.id, order.buyer);
    expect(events.slice(-2).map((e) => [e.type, e.actor])).toEqual([
      ['ConfirmationReminderSent', 'timer'],
      ['DeliveryConfirmed', 'timer'],
    ]);
    // 2.5% of 40.00 = 1.00
    expect(await o.payouts(order.seller)).toMatchObject([
      { auctionId: order.auctionId, gross: usd('40.00'), fee: usd('1.00'), net: usd('39.00'), status: 'paid' },
    ]);
    await eventually(
      () => o.kinds(order.seller),
      (k) => k.includes('payout-paid'),
    );
    expect((await o.kinds(order.seller)).filter((k) => k === 'payout-paid')).toHaveLength(1);
    expect((await o.kinds(order.buyer)).filter((k) => k === 'confirmation-reminder')).toHaveLength(1);
    await expectMoneyAddsUp(order, '0.00');
    const dashboard = (await call('GET', `/customers/${order.seller}/dashboard`, { as: order.seller })).body;
    expect(dashboard.payouts).toMatchObject([{ auctionId: order.auctionId, status: 'paid' }]);
    // The books: the sale split into earnings and fee, the earnings paid out.
    const { rows } = await platform.db.pools.read.query(
      `SELECT p.kind, e.account_id, e.amount_minor::text AS amount FROM ledger_postings p JOIN ledger_entries e ON e.posting_id = p.id
       WHERE p.reference IN ($1::text, (SELECT id::text FROM payouts WHERE auction_id = $1::uuid)) ORDER BY p.kind DESC, e.amount_minor`,
      [order.auctionId],
    );
    expect(rows).toEqual([
      { kind: 'sale', account_id: 'external:card-payments:USD', amount: '-4000' },
      { kind: 'sale', account_id: 'platform:fees:USD', amount: '100' },
      { kind: 'sale', account_id: `earnings:USD:${order.seller}`, amount: '3900' },
      { kind: 'payout', account_id: `earnings:USD:${order.seller}`, amount: '-3900' },
      { kind: 'payout', account_id: 'external:payouts:USD', amount: '3900' },
    ]);
  }, 60_000);

  it('claims a return: the carrier books it, and its arrival refunds the buyer', async () => {
    const order = track(await o.acceptedDelivery());
    await o.carrierSays(order.trackingNumber, 'package.shipped');
    // Webhooks promise no order: a `delivered` overtaking `shipped` would leave no PackageShipped in the history.
    await eventually(
      () => o.delivery(order.id, order.buyer),
      (d) => d.status === 'shipped',
    );
    await o.carrierSays(order.trackingNumber, 'package.delivered');
    await o.sagaAt(order.sagaId, order.buyer, 'awaiting-confirmation');
    expect((await post(`/deliveries/${order.id}/returns`, order.seller, { reason: 'x' })).status).toBe(403);
    const claimed = await post(`/deliveries/${order.id}/returns`, order.buyer, { reason: 'wrong size' });
    expect(claimed.body).toMatchObject({ status: 'return-requested', reason: 'wrong size' });
    const { body } = await eventually(
      () => call('GET', `/deliveries/${order.id}`, { as: order.seller }),
      (r) => Boolean(r.body.returnTrackingNumber),
    );
    expect(body.returnTrackingNumber).not.toBe(order.trackingNumber);
    expect((await post(`/deliveries/${order.id}/confirm`, order.buyer)).status).toBe(409);
    // The outbound parcel's reports no longer move the order; the return's do.
    await o.carrierSays(order.trackingNumber, 'package.lost');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await o.delivery(order.id, order.buyer)).status).toBe('return-requested');
    await o.carrierSays(body.returnTrackingNumber, 'package.returned');
    expect((await o.sagaEnded(order.sagaId, order.buyer)).step).toBe('returned');
    await expectMoneyAddsUp(order, order.price);
    expect((await call('GET', `/auctions/${order.auctionId}`)).body.status).toBe('refunded');
    expect((await o.events('deliveries', order.id, order.buyer)).map((e) => [e.type, e.actor])).toEqual([
      ['DeliveryCreated', 'platform'],
      ['OrderAccepted', 'seller'],
      ['ShipmentBooked', 'platform'],
      ['PackageShipped', 'carrier'],
      ['PackageDelivered', 'carrier'],
      ['ReturnRequested', 'buyer'],
      ['ReturnBooked', 'platform'],
      ['PackageReturned', 'carrier'],
    ]);
    await eventually(
      () => o.kinds(order.seller),
      (k) => k.includes('return-requested'),
    );
  });
});

describe('races, each decided once', () => {
  const RUNS = 5;

  it(`cancel against the carrier's shipped report (${RUNS} orders at once)`, async () => {
    const orders = await Promise.all(Array.from({ length: RUNS }, () => o.acceptedDelivery().then(track)));
    const answers = await Promise.all(
      orders.map(async (order) => {
        const [cancel] = await Promise.all([
          post(`/deliveries/${order.id}/cancel`, order.buyer),
          o.carrierSays(order.trackingNumber, 'package.shipped'),
        ]);
        return cancel.status;
      }),
    );
    for (const [i, order] of orders.entries()) {
      const { status } = await eventually(
        () => o.delivery(order.id, order.buyer),
        (d) => d.status === 'cancelled' || d.status === 'shipped',
      );
      expect([answers[i], status]).toEqual(answers[i] === 200 ? [200, 'cancelled'] : [409, 'shipped']);
      if (status === 'cancelled') {
        expect((await o.sagaEnded(order.sagaId, order.buyer)).step).toBe('cancelled');
        await expectMoneyAddsUp(order, order.price);
      } else {
        await o.carrierSays(order.trackingNumber, 'package.delivered');
        await o.sagaAt(order.sagaId, order.buyer, 'awaiting-confirmation');
        await post(`/deliveries/${order.id}/confirm`, order.buyer);
        await o.sagaEnded(order.sagaId, order.buyer);
        await expectMoneyAddsUp(order, '0.00');
      }
    }
  }, 90_000);

  it(`confirm against a return claim (${RUNS} orders at once)`, async () => {
    const orders = await Promise.all(Array.from({ length: RUNS }, () => o.acceptedDelivery().then(track)));
    await Promise.all(orders.map((order) => o.carrierSays(order.trackingNumber, 'package.delivered')));
    await Promise.all(orders.map((order) => o.sagaAt(order.sagaId, order.buyer, 'awaiting-confirmation')));
    const answers = await Promise.all(
      orders.map((order) =>
        Promise.all([
          post(`/deliveries/${order.id}/confirm`, order.buyer),
          post(`/deliveries/${order.id}/returns`, order.buyer, { reason: 'changed my mind' }),
        ]),
      ),
    );
    for (const [i, order] of orders.entries()) {
      const [confirm, claim] = answers[i]!;
      expect([confirm.status, claim.status].sort()).toEqual([200, 409]);
      if (confirm.status === 200) {
        expect((await o.sagaEnded(order.sagaId, order.buyer)).step).toBe('confirmed');
        await expectMoneyAddsUp(order, '0.00');
      } else {
        const { body } = await eventually(
          () => call('GET', `/deliveries/${order.id}`, { as: order.buyer }),
          (r) => Boolean(r.body.returnTrackingNumber),
        );
        await o.carrierSays(body.returnTrackingNumber, 'package.returned');
        expect((await o.sagaEnded(order.sagaId, order.buyer)).step).toBe('returned');
        await expectMoneyAddsUp(order, order.price);
      }
    }
  }, 90_000);

  it(`accept against the end of the response window (${RUNS} orders at once)`, async () => {
    const orders = await Promise.all(Array.from({ length: RUNS }, () => o.paidAuction('delivery').then(track)));
    const answers = await Promise.all(
      orders.map(async (order, i) => {
        const { body } = await o.sagaAt(order.sagaId, order.buyer, 'awaiting-seller');
        const waitingSince = Date.parse(body.history.at(-1).at);
        // Aim around the window's end: from 400 ms before to 400 ms after.
        const aim = waitingSince + SELLER_RESPONSE_WINDOW_MS - 400 + (800 * i) / (RUNS - 1);
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, aim - Date.now())));
        return (await post(`/deliveries/${order.id}/accept`, order.seller)).status;
      }),
    );
    for (const [i, order] of orders.entries()) {
      const delivery = await eventually(
        () => o.delivery(order.id, order.buyer),
        (d) => d.status === 'rejected' || Boolean(d.trackingNumber),
        20_000,
      );
      if (answers[i] === 200) {
        expect(delivery.status).toBe('accepted');
        await post(`/deliveries/${order.id}/cancel`, order.buyer);
      } else {
        expect([answers[i], delivery.status]).toEqual([409, 'rejected']);
      }
      await o.sagaEnded(order.sagaId, order.buyer);
      await expectMoneyAddsUp(order, order.price);
    }
  }, 90_000);

  it('leaves histories that replay deterministically', async () => {
    expect(await replayRecordedHistories(platform.workflows, sagas)).toBe(sagas.length);
  });
});
