import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkflowGateway } from '../../src/platform/temporal/workflow-gateway.ts';
import { deliveryFulfilmentSaga } from '../../workflows/delivery-fulfilment.contract.ts';
import { eventually, startPlatform, type TestPlatform } from '../support/platform.ts';
import { replayRecordedHistories } from '../support/replay.ts';
import { wonAuctionHelpers } from '../support/won-auctions.ts';

/**
 * A `package.delivered` that wins the race against the last carrier deadline means no
 * refund (docs/design.md, property 11: late facts are reconciled, the real state is re-checked).
 * The race is made certain: the API records the carrier's webhook, but its signal to the
 * saga is lost on the way, as when the timer fires between the two.
 */
let platform: TestPlatform;
const ran: string[] = [];
const h = wonAuctionHelpers(() => platform);

/** Delivers every signal but the news of a delivered package. */
const losingDeliveredSignals = (gateway: WorkflowGateway): WorkflowGateway => ({
  ...gateway,
  start: (saga, input, options) => gateway.start(saga, input, options),
  signalWithStart: (saga, input, signal, arg, options) => gateway.signalWithStart(saga, input, signal, arg, options),
  query: (workflowId, query) => gateway.query(workflowId, query),
  describe: (workflowId) => gateway.describe(workflowId),
  checkHealth: () => gateway.checkHealth(),
  async signal(workflowId, signal, arg) {
    if (signal.name === deliveryFulfilmentSaga.signals.packageEvent.name && (arg as { type?: string }).type === 'package.delivered') return;
    await gateway.signal(workflowId, signal, arg);
  },
});

beforeAll(async () => {
  platform = await startPlatform({
    env: { SHIPPING_DEADLINE: '30s', DELIVERY_DEADLINE: '1s', SETTLEMENT_DELAY: '1s' },
    apiWorkflows: losingDeliveredSignals,
  });
}, 120_000);
afterAll(() => platform?.stop());

const carrierEvent = (trackingNumber: string, type: string) =>
  fetch(`${platform.simulators.urls.carrier}/shipments/${trackingNumber}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type }),
  });

describe('a delivery against its last deadline', () => {
  it('counts a package delivered before the saga gives up as delivered: no refund', async () => {
    const { winner, seller: sellerOf, paymentId, sagaId, auctionId } = await h.wonAuction({ fulfilment: 'delivery' });
    ran.push(sagaId);
    await h.charge(paymentId, winner, 'tok_visa');
    const { body: auction } = await eventually(
      () => platform.api.call('GET', `/auctions/${auctionId}`),
      (r) => Boolean(r.body.deliveryId),
    );
    const deliveryId = auction.deliveryId as string;
    const deliverySaga = `delivery-fulfilment-${deliveryId}`;
    ran.push(deliverySaga);
    const accepted = await eventually(
      async () => platform.api.call('POST', `/deliveries/${deliveryId}/accept`, { as: sellerOf }),
      (r) => r.status === 200,
    );
    expect(accepted.body.status).toBe('accepted');
    const { body: booked } = await eventually(
      () => platform.api.call('GET', `/deliveries/${deliveryId}`, { as: winner }),
      (r) => Boolean(r.body.trackingNumber),
    );
    expect((await carrierEvent(booked.trackingNumber, 'package.shipped')).status).toBe(202);
    await eventually(
      () => h.saga(deliverySaga, winner),
      (saga) => saga.step === 'awaiting-delivery' || saga.step.startsWith('delivery-deadline-missed'),
    );
    expect((await carrierEvent(booked.trackingNumber, 'package.delivered')).status).toBe(202);
    await eventually(
      () => platform.api.call('GET', `/deliveries/${deliveryId}`, { as: winner }),
      (r) => r.body.status === 'delivered',
    );

    // Without the lost signal, the deadline's own look at the record (or, after the last one, the carrier's) finds it delivered.
    const saga = await eventually(
      () => h.saga(deliverySaga, winner),
      (s) => s.step === 'awaiting-confirmation',
      20_000,
    );
    expect(saga.history.map((s: { step: string }) => s.step)).not.toContain('refunding');
    expect((await platform.api.call('GET', `/deliveries/${deliveryId}`, { as: winner })).body.status).toBe('delivered');
    expect((await platform.api.call('POST', `/deliveries/${deliveryId}/confirm`, { as: winner })).status).toBe(200);
    expect(
      (
        await eventually(
          () => h.saga(deliverySaga, winner),
          (s) => s.status === 'completed',
          20_000,
        )
      ).step,
    ).toBe('confirmed');
    expect(await h.payment(paymentId, winner)).toMatchObject({ status: 'captured', refunded: h.usd('0.00') });
    expect((await platform.api.call('GET', `/auctions/${auctionId}`)).body.status).toBe('paid');
    const [charge] = await h.chargesAtProvider(paymentId);
    expect(charge).toMatchObject({ status: 'captured', refunds: [] });
    expect(await h.kindsFor(winner)).not.toContain('payment-refunded');
  });

  it('replays the recorded histories', async () => {
    expect(await replayRecordedHistories(platform.workflows, ran)).toBe(ran.length);
  });
});
