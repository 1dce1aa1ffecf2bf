import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startPlatform, type TestPlatform } from '../support/platform.ts';
import { wonAuctionHelpers } from '../support/won-auctions.ts';

/**
 * A provider's capture whose webhook never reaches us (the chaos harness lost some to
 * 409 answers; a real provider gives up after days). When the window closes the
 * payment's own record says "not captured", but the provider's record is the other half
 * of the truth: the window's close asks it, and a capture we never heard of is refunded
 * like any late capture. The platform's stop() then checks charges − refunds = captured.
 */
let platform: TestPlatform;
const h = wonAuctionHelpers(() => platform);

beforeAll(async () => {
  platform = await startPlatform({ env: { PAYMENT_WINDOW: '4s' }, webhooksLost: ['payments'] });
}, 120_000);
afterAll(() => platform?.stop());

describe('a capture whose webhook never arrives', () => {
  it('is found at the provider when the window closes, and refunded once', async () => {
    const { winner, paymentId, sagaId, auctionId, price } = await h.wonAuction({ price: '42.00' });
    expect((await h.charge(paymentId, winner, 'tok_visa')).status).toBe(202);
    await eventually(
      () => h.chargesAtProvider(paymentId),
      (charges) => charges.some((c) => c.status === 'captured'),
      10_000,
    );
    await eventually(
      () => h.saga(sagaId, winner),
      (saga) => saga.status === 'completed',
      20_000,
    );
    const refunded = await eventually(
      () => h.chargesAtProvider(paymentId),
      (charges) => charges.every((c) => c.status === 'refunded' || c.status === 'cancelled' || c.status === 'failed'),
      20_000,
    );
    expect(refunded.filter((c) => c.status === 'refunded')).toHaveLength(1);
    expect(refunded.flatMap((c) => c.refunds)).toHaveLength(1);
    expect(await h.payment(paymentId, winner)).toMatchObject({ status: 'refunded', refunded: { amount: price, currency: 'USD' } });
    expect((await platform.api.call('GET', `/auctions/${auctionId}`)).body.status).toBe('unpaid');
  });
});
