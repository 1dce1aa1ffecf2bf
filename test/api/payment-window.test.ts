import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startPlatform, type TestPlatform } from '../support/platform.ts';
import { replayRecordedHistories } from '../support/replay.ts';

/** The payment window as a durable timer: a few seconds here, three days by default. */
let platform: TestPlatform;
const ran: string[] = [];
beforeAll(async () => {
  platform = await startPlatform({ env: { PAYMENT_WINDOW: '3s' } });
}, 120_000);
afterAll(() => platform?.stop());

const usd = (amount: string) => ({ amount, currency: 'USD' });

describe('the payment window', () => {
  it('elapses: the payment is cancelled, the auction unpaid, and both parties told', async () => {
    const seller = `seller-${crypto.randomUUID()}`;
    const winner = `winner-${crypto.randomUUID()}`;
    const { body: auction } = await platform.api.call('POST', '/auctions', {
      as: seller,
      body: {
        title: 'Never paid for',
        startingPrice: usd('5.00'),
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
        fulfilment: 'delivery',
      },
    });
    await platform.api.call('POST', `/auctions/${auction.id}/bids`, { as: winner, body: { amount: usd('6.00') } });
    const { body: ended } = await platform.api.call('POST', `/auctions/${auction.id}/end`, { as: seller });
    ran.push(ended.workflowId, `auction-closing-${auction.id}`);

    const saga = await eventually(
      () => platform.api.call('GET', `/sagas/${ended.workflowId}`, { as: seller }),
      (r) => r.body.status === 'completed',
      20_000,
    );
    expect(saga.body.step).toBe('unpaid');
    expect(saga.body.history.map((h: { step: string }) => h.step)).toEqual(
      expect.arrayContaining(['starting-payment', 'awaiting-payment', 'payment-window-elapsed', 'unpaid']),
    );
    const after = (await platform.api.call('GET', `/auctions/${auction.id}`)).body;
    expect(after.status).toBe('unpaid');
    expect((await platform.api.call('GET', `/payments/${after.paymentId}`, { as: winner })).body.status).toBe('cancelled');
    const kinds = async (who: string) =>
      (await platform.api.call('GET', `/customers/${who}/notifications`, { as: who })).body.notifications.map(
        (n: { kind: string }) => n.kind,
      );
    await eventually(
      () => kinds(winner),
      (k) => k.includes('payment-window-elapsed'),
    );
    await eventually(
      () => kinds(seller),
      (k) => k.includes('buyer-did-not-pay'),
    );

    // A charge after the window is refused as a business rule (422): the payment is closed.
    expect(
      (await platform.api.call('POST', `/payments/${after.paymentId}/charge`, { as: winner, body: { cardToken: 'tok_visa' } })).status,
    ).toBe(422);
  });

  it('replays the recorded histories deterministically', async () => {
    expect(await replayRecordedHistories(platform.workflows, ran)).toBe(ran.length);
  });
});
