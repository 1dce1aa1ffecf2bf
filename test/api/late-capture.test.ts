import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startPlatform, type TestPlatform } from '../support/platform.ts';
import { replayRecordedHistories } from '../support/replay.ts';
import { wonAuctionHelpers } from '../support/won-auctions.ts';

/**
 * The payment window races the charges (docs/design.md, property 11): a charge still in flight
 * when the window ends is voided at the provider, and a capture that arrives after it
 * anyway is a late fact, reconciled by refunding it once, never refused in a loop.
 */
let platform: TestPlatform;
const ran: string[] = [];
const h = wonAuctionHelpers(() => platform);

beforeAll(async () => {
  platform = await startPlatform({ env: { PAYMENT_WINDOW: '4s' } });
}, 120_000);
afterAll(() => platform?.stop());

describe('the payment window against a charge in flight', () => {
  it('voids the charge still held at the provider when the window ends; a capture after that is refused by the provider', async () => {
    const { winner, paymentId, sagaId, auctionId } = await h.wonAuction();
    ran.push(sagaId);
    expect((await h.charge(paymentId, winner, 'tok_hold')).status).toBe(202);

    await eventually(
      () => h.saga(sagaId, winner),
      (saga) => saga.status === 'completed',
      20_000,
    );
    expect((await h.saga(sagaId, winner)).history.map((s: { step: string }) => s.step)).toEqual(
      expect.arrayContaining(['charging', 'payment-window-elapsed', 'voiding-open-charges', 'unpaid']),
    );
    const [charge] = await h.chargesAtProvider(paymentId);
    expect(charge).toMatchObject({ status: 'cancelled' });
    expect(await h.payment(paymentId, winner)).toMatchObject({ status: 'cancelled' });
    expect((await platform.api.call('GET', `/auctions/${auctionId}`)).body.status).toBe('unpaid');
    expect((await h.providerControl(`/charges/${charge!.chargeId}/capture`)).status).toBe(409);
  });

  it('refunds, once, a capture the provider makes after the window closed: payment refunded, auction still unpaid, buyer told', async () => {
    const { winner, paymentId, sagaId, auctionId, price } = await h.wonAuction({ price: '31.50' });
    ran.push(sagaId);
    await eventually(
      () => h.saga(sagaId, winner),
      (saga) => saga.status === 'completed',
      20_000,
    );
    expect(await h.payment(paymentId, winner)).toMatchObject({ status: 'cancelled' });

    // The provider charges and captures this payment anyway (a request that reached it late).
    const late = await h.providerControl(
      '/charges',
      { paymentId, amount: h.usd(price), cardToken: 'tok_visa' },
      { 'idempotency-key': `late-${paymentId}` },
    );
    expect(late.status).toBe(201);
    const { chargeId } = (await late.json()) as { chargeId: string };

    const refunded = await eventually(
      () => h.payment(paymentId, winner),
      (payment) => payment.status === 'refunded',
      20_000,
    );
    expect(refunded.refunded).toEqual(h.usd(price));
    expect((await platform.api.call('GET', `/auctions/${auctionId}`)).body.status).toBe('unpaid');
    await eventually(
      () => h.kindsFor(winner),
      (kinds) => kinds.includes('payment-refunded'),
    );
    const refundSaga = await eventually(
      () => h.saga(`unwanted-capture-refund-${chargeId}`, winner),
      (saga) => saga.status === 'completed',
    );
    ran.push(refundSaga.workflowId);

    // The same fact reported again under a new event id refunds nothing twice.
    const repeat = await h.sendProviderWebhook({
      id: `evt_repeat_${crypto.randomUUID()}`,
      type: 'payment.captured',
      data: { paymentId, providerChargeId: chargeId, amount: h.usd(price) },
    });
    expect(repeat.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const [charge] = await h.chargesAtProvider(paymentId);
    expect(charge).toMatchObject({ chargeId, status: 'refunded' });
    expect(charge!.refunds).toHaveLength(1);
    expect(await h.payment(paymentId, winner)).toMatchObject({ status: 'refunded', refunded: h.usd(price) });
    expect((await h.kindsFor(winner)).filter((k) => k === 'payment-refunded')).toHaveLength(1);
  });

  it('reaches the window after a refused card: nothing hangs the saga', async () => {
    const { winner, paymentId, sagaId } = await h.wonAuction();
    ran.push(sagaId);
    expect((await h.charge(paymentId, winner, 'tok_bogus')).status).toBe(202);
    const saga = await eventually(
      () => h.saga(sagaId, winner),
      (s) => s.status === 'completed',
      20_000,
    );
    expect(saga.step).toBe('unpaid');
    expect(await h.payment(paymentId, winner)).toMatchObject({ status: 'cancelled', attempts: 1 });
  });

  it('replays the recorded histories', async () => {
    expect(await replayRecordedHistories(platform.workflows, ran)).toBe(ran.length);
  });
});
