import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderHelpers } from '../support/orders.ts';
import { eventually, startPlatform, type TestPlatform } from '../support/platform.ts';
import { replayRecordedHistories } from '../support/replay.ts';

/**
 * Vouchers after payment end to end, with windows of seconds: cancelled within the cancel
 * window (refunded in full; later 422), redeemed (the seller paid), or left unused until
 * they expire (90% back to the buyer as a partial refund at the provider, the rest to the
 * seller less the fee). Redeem against expiry and redeem against cancel run several
 * times at once, each decided once.
 */
const VALIDITY_MS = 7_000;
const CANCEL_WINDOW_MS = 3_000;
let platform: TestPlatform;
const sagas: string[] = [];
beforeAll(async () => {
  platform = await startPlatform({
    env: {
      VOUCHER_VALIDITY: `${VALIDITY_MS}ms`,
      VOUCHER_CANCEL_WINDOW: `${CANCEL_WINDOW_MS}ms`,
      SETTLEMENT_DELAY: '1s',
      PLATFORM_FEE: '5%',
    },
  });
}, 120_000);
afterAll(() => platform?.stop());

const o = orderHelpers(() => platform);
const { call, usd } = o;
const post = (path: string, as: string) => call('POST', path, { as });

async function issuedVoucher(price?: string) {
  const order = await o.paidAuction('service', price);
  sagas.push(order.sagaId);
  const { body } = await o.sagaAt(order.sagaId, order.buyer, 'issued');
  return { ...order, issuedAt: Date.parse(body.history.at(-1).at) };
}

async function chargeAtProvider(paymentId: string) {
  const { charges } = (await (await fetch(`${platform.simulators.urls.payments}/charges?paymentId=${paymentId}`)).json()) as {
    charges: { status: string; refunds: { amount: unknown }[] }[];
  };
  expect(charges).toHaveLength(1);
  return charges[0]!;
}

describe('a voucher', () => {
  it('cancelled within the window: refunded in full, both told; the seller may not cancel, and nothing is redeemable after', async () => {
    const v = await issuedVoucher();
    expect((await post(`/services/${v.id}/cancel`, v.seller)).status).toBe(403);
    expect((await post(`/services/${v.id}/cancel`, `stranger-${crypto.randomUUID()}`)).status).toBe(403);
    const cancelled = await post(`/services/${v.id}/cancel`, v.buyer);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', code: expect.any(String) });
    expect((await post(`/services/${v.id}/redeem`, v.buyer)).status).toBe(409);
    expect((await o.sagaEnded(v.sagaId, v.buyer)).step).toBe('cancelled');
    expect(await o.payment(v.paymentId, v.buyer)).toMatchObject({ status: 'refunded', refunded: usd(v.price) });
    expect((await call('GET', `/auctions/${v.auctionId}`)).body.status).toBe('refunded');
    expect(await o.payouts(v.seller)).toEqual([]);
    for (const who of [v.buyer, v.seller]) {
      await eventually(
        () => o.kinds(who),
        (k) => k.includes('voucher-cancelled'),
      );
    }
    const events = await o.events('services', v.id, v.buyer);
    expect(events.map((e) => [e.type, e.actor])).toEqual([
      ['VoucherIssued', 'platform'],
      ['VoucherCancelled', 'buyer'],
    ]);
    expect(JSON.stringify(events)).not.toContain((await o.service(v.id, v.buyer)).code);
  });

  it('past the cancel window: 422; redeemed, the seller is paid the whole price less the fee', async () => {
    const v = await issuedVoucher('20.00');
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, v.issuedAt + CANCEL_WINDOW_MS + 300 - Date.now())));
    const late = await post(`/services/${v.id}/cancel`, v.buyer);
    expect(late.status).toBe(422);
    expect(late.headers.get('content-type')).toContain('application/problem+json');
    expect((await o.service(v.id, v.buyer)).status).toBe('issued');
    expect((await post(`/services/${v.id}/redeem`, v.buyer)).body.status).toBe('redeemed');
    expect((await o.sagaEnded(v.sagaId, v.buyer)).step).toBe('redeemed');
    expect(await o.payouts(v.seller)).toMatchObject([{ gross: usd('20.00'), fee: usd('1.00'), net: usd('19.00'), status: 'paid' }]);
    expect(await o.payment(v.paymentId, v.buyer)).toMatchObject({ status: 'captured' });
    await eventually(
      () => o.kinds(v.seller),
      (k) => k.includes('voucher-redeemed') && k.includes('payout-paid'),
    );
  });

  it('left unused: expires, 90% refunded (a partial refund at the provider), the rest to the seller less the fee', async () => {
    const v = await issuedVoucher('10.05');
    expect((await o.sagaEnded(v.sagaId, v.buyer, VALIDITY_MS + 20_000)).step).toBe('expired');
    // 90% of 10.05 is 9.045, rounded half up: 9.05; the seller's share 1.00, its 5% fee 0.05.
    expect(await o.payment(v.paymentId, v.buyer)).toMatchObject({ status: 'refunded', refunded: usd('9.05') });
    const charge = await chargeAtProvider(v.paymentId);
    expect(charge).toMatchObject({ status: 'captured', refunds: [expect.objectContaining({ amount: usd('9.05') })] });
    expect(await o.payouts(v.seller)).toMatchObject([{ gross: usd('1.00'), fee: usd('0.05'), net: usd('0.95'), status: 'paid' }]);
    expect((await o.service(v.id, v.buyer)).status).toBe('expired');
    expect((await post(`/services/${v.id}/redeem`, v.buyer)).status).toBe(409);
    expect((await post(`/services/${v.id}/cancel`, v.buyer)).status).toBe(409);
    expect((await o.events('services', v.id, v.seller)).map((e) => [e.type, e.actor])).toEqual([
      ['VoucherIssued', 'platform'],
      ['VoucherExpired', 'timer'],
    ]);
    for (const who of [v.buyer, v.seller]) {
      await eventually(
        () => o.kinds(who),
        (k) => k.includes('voucher-expired'),
      );
    }
  }, 60_000);
});

describe('races, each decided once', () => {
  const RUNS = 5;

  it(`redeem against cancel (${RUNS} vouchers at once)`, async () => {
    const vouchers = await Promise.all(Array.from({ length: RUNS }, () => issuedVoucher()));
    const answers = await Promise.all(
      vouchers.map((v) => Promise.all([post(`/services/${v.id}/redeem`, v.buyer), post(`/services/${v.id}/cancel`, v.buyer)])),
    );
    for (const [i, v] of vouchers.entries()) {
      const [redeem, cancel] = answers[i]!;
      expect([redeem.status, cancel.status].sort()).toEqual([200, 409]);
      const outcome = redeem.status === 200 ? 'redeemed' : 'cancelled';
      expect((await o.sagaEnded(v.sagaId, v.buyer)).step).toBe(outcome);
      const payment = await o.payment(v.paymentId, v.buyer);
      const payouts = await o.payouts(v.seller);
      if (outcome === 'redeemed') {
        expect([payment.status, payouts.map((p) => p.gross)]).toEqual(['captured', [usd(v.price)]]);
      } else {
        expect([payment.status, payment.refunded, payouts]).toEqual(['refunded', usd(v.price), []]);
      }
    }
  }, 60_000);

  it(`redeem against expiry (${RUNS} vouchers at once)`, async () => {
    const vouchers = await Promise.all(Array.from({ length: RUNS }, () => issuedVoucher()));
    const answers = await Promise.all(
      vouchers.map(async (v, i) => {
        // Aim around the validity's end: from 400 ms before to 400 ms after.
        const aim = v.issuedAt + VALIDITY_MS - 400 + (800 * i) / (RUNS - 1);
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, aim - Date.now())));
        return (await post(`/services/${v.id}/redeem`, v.buyer)).status;
      }),
    );
    for (const [i, v] of vouchers.entries()) {
      const saga = await o.sagaEnded(v.sagaId, v.buyer);
      expect([answers[i], saga.step]).toEqual(answers[i] === 200 ? [200, 'redeemed'] : [409, 'expired']);
      const payment = await o.payment(v.paymentId, v.buyer);
      const [payout] = await o.payouts(v.seller);
      if (saga.step === 'redeemed') expect([payment.status, payout!.gross]).toEqual(['captured', usd(v.price)]);
      else expect([payment.refunded, payout!.gross]).toEqual([usd('9.00'), usd('1.00')]);
    }
  }, 60_000);

  it('leaves histories that replay deterministically', async () => {
    expect(await replayRecordedHistories(platform.workflows, sagas)).toBe(sagas.length);
  });
});
