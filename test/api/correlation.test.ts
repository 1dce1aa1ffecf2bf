import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startPlatform, type TestPlatform } from '../support/platform.ts';

/**
 * Correlation and causation ids end to end: a request's `x-correlation-id` on the
 * events it records, a saga's workflow id on the events its steps record, and a
 * webhook's event id as the cause of what it records, all through GET /…/events.
 */
let platform: TestPlatform;
beforeAll(async () => {
  platform = await startPlatform();
}, 120_000);
afterAll(() => platform?.stop());

const usd = (amount: string) => ({ amount, currency: 'USD' });

interface EventView {
  type: string;
  aggregateVersion: number;
  correlationId: string | null;
  causationId: string | null;
}

describe('correlation ids on the events endpoints', () => {
  it('shows the request, the saga step and the webhook each event came from', async () => {
    const { call } = platform.api;
    const seller = `seller-${crypto.randomUUID()}`;
    const ann = `ann-${crypto.randomUUID()}`;
    const created = await call('POST', '/auctions', {
      as: seller,
      body: {
        title: 'A teapot with a past',
        startingPrice: usd('10.00'),
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
        fulfilment: 'delivery',
      },
    });
    expect(created.status).toBe(201);
    const auctionId = created.body.id as string;
    const createdIn = created.headers.get('x-correlation-id');
    expect(createdIn).toMatch(/^[0-9a-f-]{36}$/); // none sent: one made up, and told

    const bid = await call('POST', `/auctions/${auctionId}/bids`, {
      as: ann,
      body: { amount: usd('12.00') },
      headers: { 'x-correlation-id': 'test-123' },
    });
    expect(bid.status).toBe(201);
    expect(bid.headers.get('x-correlation-id')).toBe('test-123');
    const ended = await call('POST', `/auctions/${auctionId}/end`, { as: seller, headers: { 'x-request-id': 'lb-req-9' } });
    expect(ended.status).toBe(202);
    const sagaId = `paying-for-won-item-${auctionId}`;
    const { body: auction } = await eventually(
      () => call('GET', `/auctions/${auctionId}`),
      (r) => Boolean(r.body.paymentId),
    );
    const paymentId = auction.paymentId as string;
    expect((await call('POST', `/payments/${paymentId}/charge`, { as: ann, body: { cardToken: 'tok_visa' } })).status).toBe(202);
    await eventually(
      () => call('GET', `/payments/${paymentId}`, { as: ann }),
      (r) => r.body.status === 'captured',
    );

    const auctionEvents = (await call('GET', `/auctions/${auctionId}/events`, { as: seller })).body as EventView[];
    const byType = (events: EventView[], type: string) => events.find((e) => e.type === type);
    expect(byType(auctionEvents, 'AuctionCreated')).toMatchObject({ correlationId: createdIn, causationId: null });
    expect(byType(auctionEvents, 'BidPlaced')).toMatchObject({ correlationId: 'test-123', causationId: null });
    expect(byType(auctionEvents, 'AuctionEnded')).toMatchObject({ correlationId: 'lb-req-9', causationId: null });
    // Written by the paying saga's step: the saga is the correlation, the step the cause.
    const attached = byType(auctionEvents, 'PaymentAttached')!;
    expect(attached.correlationId).toBe(sagaId);
    expect(attached.causationId).toMatch(new RegExp(`^${sagaId}/[^/]+/attachPaymentToAuction#\\d+$`));

    const paymentEvents = (await call('GET', `/payments/${paymentId}/events`, { as: ann })).body as EventView[];
    expect(byType(paymentEvents, 'PaymentStarted')).toMatchObject({ correlationId: sagaId });
    expect(byType(paymentEvents, 'PaymentStarted')!.causationId).toMatch(new RegExp(`^${sagaId}/[^/]+/startPayment#\\d+$`));
    // The provider's signed webhook is the cause of the capture it reports.
    expect(byType(paymentEvents, 'PaymentCaptured')!.causationId).toMatch(/^webhook:payments:.+/);
    // Every event of both histories says where it came from.
    for (const event of [...auctionEvents, ...paymentEvents]) expect(event.correlationId, event.type).toEqual(expect.any(String));
  });
});
