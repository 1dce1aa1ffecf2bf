import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startPlatform, type TestPlatform } from '../support/platform.ts';
import { replayRecordedHistories } from '../support/replay.ts';

/**
 * The first business flow end to end, through HTTP only: auction, bids, early end, the
 * paying-for-won-item saga, a charge at the provider simulator, its signed webhooks,
 * and the e-mails sent from the outbox.
 */
let platform: TestPlatform;
/** Workflows the tests ran, replayed at the end against the current code. */
const ran: string[] = [];
beforeAll(async () => {
  platform = await startPlatform();
}, 120_000);
afterAll(() => platform?.stop());

const usd = (amount: string) => ({ amount, currency: 'USD' });
const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();

async function createAuction(seller: string, fulfilment: 'delivery' | 'service' = 'delivery') {
  const created = await platform.api.call('POST', '/auctions', {
    as: seller,
    body: { title: 'A very fine teapot', startingPrice: usd('10.00'), endsAt: inAnHour(), fulfilment },
  });
  expect(created.status).toBe(201);
  return created.body.id as string;
}

const notificationsOf = async (customer: string) =>
  (await platform.api.call('GET', `/customers/${customer}/notifications`, { as: customer })).body.notifications as {
    kind: string;
    data: any;
  }[];
const kindsFor = async (customer: string) => (await notificationsOf(customer)).map((n) => n.kind);
const chargesAtProvider = async (paymentId: string) =>
  ((await (await fetch(`${platform.simulators.urls.payments}/charges?paymentId=${paymentId}`)).json()) as { charges: unknown[] }).charges;

describe('paying for a won item', () => {
  it('runs from auction to captured payment, e-mailing the right people', async () => {
    const seller = `seller-${crypto.randomUUID()}`;
    const ann = `ann-${crypto.randomUUID()}`;
    const bob = `bob-${crypto.randomUUID()}`;
    const auctionId = await createAuction(seller);

    // Two bidders outbid each other; the overbid e-mail goes to whoever lost the lead.
    expect(
      (await platform.api.call('POST', `/auctions/${auctionId}/bids`, { as: ann, body: { amount: usd('11.00') } })).body,
    ).toMatchObject({
      isWinning: true,
      currentPrice: usd('11.00'),
    });
    await platform.api.call('POST', `/auctions/${auctionId}/bids`, { as: bob, body: { amount: usd('12.50') } });
    await eventually(
      () => kindsFor(ann),
      (kinds) => kinds.includes('overbid'),
    );
    expect(await kindsFor(bob)).not.toContain('overbid');
    const bid = await platform.api.call('POST', `/auctions/${auctionId}/bids`, { as: ann, body: { amount: usd('15.00') } });
    expect(bid).toMatchObject({
      status: 201,
      body: { auctionId, bidderId: ann, amount: usd('15.00'), isWinning: true, currentPrice: usd('15.00') },
    });
    await eventually(
      () => kindsFor(bob),
      (kinds) => kinds.includes('overbid'),
    );

    // The seller ends it: the saga runs, the auction is ended, the winner is e-mailed.
    const ended = await platform.api.call('POST', `/auctions/${auctionId}/end`, { as: seller });
    expect(ended).toMatchObject({ status: 202, body: { workflowId: `paying-for-won-item-${auctionId}`, winnerId: ann } });
    const sagaId = ended.body.workflowId as string;
    ran.push(sagaId, `auction-closing-${auctionId}`);
    const saga = await eventually(
      () => platform.api.call('GET', `/sagas/${sagaId}`, { as: ann }),
      (r) => r.status === 200 && r.body.step === 'awaiting-payment',
    );
    expect(saga.body).toMatchObject({ status: 'running', type: 'payingForWonItem', auctionId });
    const auction = await eventually(
      () => platform.api.call('GET', `/auctions/${auctionId}`),
      (r) => Boolean(r.body.paymentId),
    );
    expect(auction.body).toMatchObject({ status: 'ended', winnerId: ann, currentPrice: usd('15.00'), bidCount: 3 });
    const paymentId = auction.body.paymentId as string;
    const won = await eventually(
      () => notificationsOf(ann),
      (list) => list.some((n) => n.kind === 'auction-won'),
    );
    expect(won.find((n) => n.kind === 'auction-won')?.data).toMatchObject({ paymentId, amount: usd('15.00') });

    // The winner pays; the provider's signed webhooks complete the saga.
    const charge = await platform.api.call('POST', `/payments/${paymentId}/charge`, { as: ann, body: { cardToken: 'tok_visa' } });
    expect(charge).toMatchObject({ status: 202, body: { paymentId, attempt: 1 } });
    await eventually(
      () => platform.api.call('GET', `/sagas/${sagaId}`, { as: ann }),
      (r) => r.body.status === 'completed',
    );

    expect((await platform.api.call('GET', `/auctions/${auctionId}`)).body.status).toBe('paid');
    expect((await platform.api.call('GET', `/payments/${paymentId}`, { as: ann })).body).toMatchObject({
      status: 'captured',
      amount: usd('15.00'),
    });
    await eventually(
      () => kindsFor(ann),
      (kinds) => kinds.includes('payment-captured'),
    );
    await eventually(
      () => kindsFor(seller),
      (kinds) => kinds.includes('item-paid') && kinds.includes('auction-sold'),
    );
    expect(await chargesAtProvider(paymentId)).toHaveLength(1);

    // Each fact e-mailed once: a second look finds no duplicates.
    const annKinds = await kindsFor(ann);
    expect(annKinds.filter((k) => k === 'auction-won')).toHaveLength(1);
    expect(annKinds.filter((k) => k === 'overbid')).toHaveLength(1);

    // Handed over to the delivery-fulfilment saga, whose id the auction now carries.
    const { body: handedOver } = await eventually(
      () => platform.api.call('GET', `/auctions/${auctionId}`),
      (r) => Boolean(r.body.deliveryId),
    );
    expect((await platform.api.call('GET', `/sagas/delivery-fulfilment-${handedOver.deliveryId}`, { as: ann })).body.status).toBe(
      'running',
    );
    ran.push(`delivery-fulfilment-${handedOver.deliveryId}`);

    // The audit trail: each aggregate's full, gap-free history, for its parties only.
    const auctionEvents = (await platform.api.call('GET', `/auctions/${auctionId}/events`, { as: seller })).body as {
      type: string;
      aggregateVersion: number;
    }[];
    expect(auctionEvents.map((e) => e.aggregateVersion)).toEqual(auctionEvents.map((_, i) => i + 1));
    expect(auctionEvents.map((e) => e.type)).toEqual([
      'AuctionCreated',
      'BidPlaced',
      'BidPlaced',
      'BidderHasBeenOverbid',
      'BidPlaced',
      'BidderHasBeenOverbid',
      'AuctionEnded',
      'PaymentAttached',
      'AuctionPaid',
      'FulfilmentAttached',
    ]);
    expect((await platform.api.call('GET', `/auctions/${auctionId}`)).body.version).toBe(auctionEvents.length);
    const paymentEvents = (await platform.api.call('GET', `/payments/${paymentId}/events`, { as: ann })).body as { type: string }[];
    expect(paymentEvents.map((e) => e.type)).toEqual(['PaymentStarted', 'ChargeRequested', 'PaymentCharged', 'PaymentCaptured']);
    expect((await platform.api.call('GET', `/payments/${paymentId}/events`, { as: bob })).status).toBe(403);
    expect((await platform.api.call('GET', `/auctions/${auctionId}/events`, { as: 'stranger' })).status).toBe(403);
    expect((await platform.api.call('GET', `/auctions/${crypto.randomUUID()}/events`, { as: seller })).status).toBe(404);
  });

  it('lets the winner retry after a declined card, within the window', async () => {
    const seller = `seller-${crypto.randomUUID()}`;
    const winner = `winner-${crypto.randomUUID()}`;
    const auctionId = await createAuction(seller, 'service');
    await platform.api.call('POST', `/auctions/${auctionId}/bids`, { as: winner, body: { amount: usd('20.00') } });
    const { body } = await platform.api.call('POST', `/auctions/${auctionId}/end`, { as: seller });
    const sagaId = body.workflowId as string;
    ran.push(sagaId, `auction-closing-${auctionId}`);
    const { body: auction } = await eventually(
      () => platform.api.call('GET', `/auctions/${auctionId}`),
      (r) => Boolean(r.body.paymentId),
    );
    const paymentId = auction.paymentId as string;

    await platform.api.call('POST', `/payments/${paymentId}/charge`, { as: winner, body: { cardToken: 'tok_chargeDeclined' } });
    await eventually(
      () => platform.api.call('GET', `/payments/${paymentId}`, { as: winner }),
      (r) => r.body.status === 'failed',
    );
    await eventually(
      () => kindsFor(winner),
      (kinds) => kinds.includes('payment-failed'),
    );
    expect((await platform.api.call('GET', `/sagas/${sagaId}`, { as: winner })).body.status).toBe('running');

    const retry = await platform.api.call('POST', `/payments/${paymentId}/charge`, { as: winner, body: { cardToken: 'tok_visa' } });
    expect(retry.body.attempt).toBe(2);
    await eventually(
      () => platform.api.call('GET', `/sagas/${sagaId}`, { as: winner }),
      (r) => r.body.status === 'completed',
    );
    expect((await platform.api.call('GET', `/payments/${paymentId}`, { as: winner })).body.status).toBe('captured');
    expect((await platform.api.call('GET', `/auctions/${auctionId}`)).body.status).toBe('paid');
    expect(await chargesAtProvider(paymentId)).toHaveLength(2); // one per attempt, never more
  });

  it('ends an auction without bids with no saga', async () => {
    const seller = `seller-${crypto.randomUUID()}`;
    const auctionId = await createAuction(seller);
    const ended = await platform.api.call('POST', `/auctions/${auctionId}/end`, { as: seller });
    expect(ended).toMatchObject({ status: 200, body: { winnerId: null } });
    expect((await platform.api.call('GET', `/auctions/${auctionId}`)).body).toMatchObject({ status: 'ended', winnerId: null });
    const closing = await eventually(
      () => platform.api.call('GET', `/sagas/auction-closing-${auctionId}`, { as: seller }),
      (r) => r.body.status === 'completed',
    );
    expect(closing.body.step).toBe('ended-without-bids');
    expect(await platform.workflows.describe(`paying-for-won-item-${auctionId}`)).toBeUndefined();
  });

  it('lists the sagas of an auction in Temporal by the AuctionId search attribute', async () => {
    const seller = `seller-${crypto.randomUUID()}`;
    const buyer = `buyer-${crypto.randomUUID()}`;
    const auctionId = await createAuction(seller);
    await platform.api.call('POST', `/auctions/${auctionId}/bids`, { as: buyer, body: { amount: usd('11.00') } });
    await platform.api.call('POST', `/auctions/${auctionId}/end`, { as: seller });
    ran.push(`auction-closing-${auctionId}`);
    const listed = async (query: string) => {
      const ids: string[] = [];
      for await (const execution of platform.workflows.client.workflow.list({ query })) ids.push(execution.workflowId);
      return ids.sort();
    };
    const expected = [`auction-closing-${auctionId}`, `paying-for-won-item-${auctionId}`];
    expect(
      await eventually(
        () => listed(`AuctionId = "${auctionId}"`),
        (ids) => ids.length === 2,
      ),
    ).toEqual(expected);
    expect(
      await eventually(
        () => listed(`CustomerId = "${buyer}"`),
        (ids) => ids.length === 1,
      ),
    ).toEqual([`paying-for-won-item-${auctionId}`]);
    expect(
      await eventually(
        () => listed(`AuctionId = "${auctionId}" AND SagaStep = "awaiting-payment"`),
        (ids) => ids.length === 1,
      ),
    ).toEqual([`paying-for-won-item-${auctionId}`]);
  });

  it('leaves histories that replay deterministically against the current workflow code', async () => {
    expect(ran.length).toBeGreaterThanOrEqual(5);
    expect(await replayRecordedHistories(platform.workflows, ran)).toBe(ran.length);
  });
});
