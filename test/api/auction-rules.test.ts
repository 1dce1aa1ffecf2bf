import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forgetIdempotentAnswer } from '../support/forget-idempotent-answer.ts';
import { startPlatform, type TestPlatform } from '../support/platform.ts';

/** Bad input and concurrency on auctions, through HTTP: every refusal changes nothing. */
let platform: TestPlatform;
beforeAll(async () => {
  platform = await startPlatform();
}, 120_000);
afterAll(() => platform?.stop());

const usd = (amount: string) => ({ amount, currency: 'USD' });
const seller = 'rules-seller';

async function openAuction(startingPrice = '10.00') {
  const created = await platform.api.call('POST', '/auctions', {
    as: seller,
    body: {
      title: 'Rules test',
      startingPrice: usd(startingPrice),
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      fulfilment: 'delivery',
    },
  });
  expect(created.status).toBe(201);
  return created.body.id as string;
}

const read = async (auctionId: string) => (await platform.api.call('GET', `/auctions/${auctionId}`)).body;
const bid = (auctionId: string, as: string, amount: unknown) =>
  platform.api.call('POST', `/auctions/${auctionId}/bids`, { as, body: { amount } });

describe('refused bids and ends change nothing', () => {
  it('answers each bad request with the right status and problem, leaving the auction as it was', async () => {
    const auctionId = await openAuction();
    expect((await bid(auctionId, 'carol', usd('12.00'))).status).toBe(201);
    const before = await read(auctionId);

    const cases: [string, () => ReturnType<typeof bid>, number, string[]?][] = [
      ['at the current price', () => bid(auctionId, 'dave', usd('12.00')), 422],
      ['below the current price', () => bid(auctionId, 'dave', usd('11.99')), 422],
      ['in the wrong currency', () => bid(auctionId, 'dave', { amount: '50.00', currency: 'EUR' }), 400, ['amount.currency']],
      ['negative', () => bid(auctionId, 'dave', usd('-13.00')), 400, ['amount.amount']],
      ['too precise', () => bid(auctionId, 'dave', usd('13.001')), 400, ['amount.amount']],
      ['unknown currency', () => bid(auctionId, 'dave', { amount: '13.00', currency: 'XYZ' }), 400, ['amount.currency']],
      ['a float', () => bid(auctionId, 'dave', { amount: 13.5, currency: 'USD' }), 400, ['amount.amount']],
      ['by the seller', () => bid(auctionId, seller, usd('100.00')), 422],
      ['ended by someone else', () => platform.api.call('POST', `/auctions/${auctionId}/end`, { as: 'dave' }), 403],
      ['without a token', () => platform.api.call('POST', `/auctions/${auctionId}/bids`, { body: { amount: usd('20.00') } }), 401],
    ];
    for (const [label, send, status, fields] of cases) {
      const response = await send();
      expect(response.status, label).toBe(status);
      expect(response.headers.get('content-type'), label).toMatch(/application\/problem\+json/);
      if (fields)
        expect(
          response.body.errors.map((e: { path: string }) => e.path),
          label,
        ).toEqual(fields);
    }
    expect(await read(auctionId)).toEqual(before);
  });

  it('answers 404 for an unknown auction and 409 for a bid on an ended one', async () => {
    const unknown = crypto.randomUUID();
    expect((await bid(unknown, 'dave', usd('20.00'))).status).toBe(404);
    expect((await platform.api.call('GET', `/auctions/${unknown}`)).status).toBe(404);
    expect((await platform.api.call('POST', `/auctions/${unknown}/end`, { as: seller })).status).toBe(404);

    const auctionId = await openAuction();
    await bid(auctionId, 'erin', usd('11.00'));
    expect((await platform.api.call('POST', `/auctions/${auctionId}/end`, { as: seller })).status).toBe(202);
    const ended = await read(auctionId);
    expect((await bid(auctionId, 'frank', usd('50.00'))).status).toBe(409);
    expect((await platform.api.call('POST', `/auctions/${auctionId}/end`, { as: seller })).status).toBe(409);
    expect((await read(auctionId)).version).toBe(ended.version); // the saga may attach a payment; the bid changed nothing
  });

  it('refuses a bad auction, naming the fields', async () => {
    const response = await platform.api.call('POST', '/auctions', {
      as: seller,
      body: { title: '', startingPrice: usd('1.234'), endsAt: 'tomorrow', fulfilment: 'teleport' },
    });
    expect(response.status).toBe(400);
    expect(response.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'endsAt',
      'fulfilment',
      'startingPrice.amount',
      'title',
    ]);
    const past = await platform.api.call('POST', '/auctions', {
      as: seller,
      body: { title: 'Too late', startingPrice: usd('1.00'), endsAt: new Date(Date.now() - 1000).toISOString(), fulfilment: 'service' },
    });
    expect(past).toMatchObject({ status: 400, body: { errors: [{ path: 'endsAt' }] } });
  });
});

describe('concurrent bids on one hot auction', () => {
  it('keeps every accepted bid, ends at the highest, and loses no update', async () => {
    const auctionId = await openAuction('1.00');
    const amounts = Array.from({ length: 50 }, (_, i) => (2 + i).toFixed(2)).sort(() => Math.random() - 0.5);
    const responses = await Promise.all(amounts.map((amount, i) => bid(auctionId, `bidder-${i}`, usd(amount))));

    const accepted = responses.filter((r) => r.status === 201).map((r) => r.body.amount.amount as string);
    const refused = responses.filter((r) => r.status !== 201);
    // A bid that lost the race to a higher one is refused as too low (422); a conflict after retries is 409.
    expect(refused.every((r) => r.status === 422 || r.status === 409)).toBe(true);
    expect(accepted.length).toBeGreaterThan(0);

    const history = (await platform.api.call('GET', `/auctions/${auctionId}/bids`)).body.bids.map(
      (b: { amount: { amount: string } }) => b.amount.amount,
    );
    expect([...history].sort()).toEqual([...accepted].sort());
    const highest = accepted.map(Number).reduce((a, b) => Math.max(a, b));
    const auction = await read(auctionId);
    expect(auction.currentPrice).toEqual(usd(highest.toFixed(2)));
    expect(auction.bidCount).toBe(accepted.length);

    // Versions are consecutive: one event per change, no gaps, no duplicates.
    const { rows } = await platform.db.pools.read.query<{ v: number }>(
      'SELECT aggregate_version AS v FROM event_store WHERE aggregate_id = $1 ORDER BY aggregate_version',
      [auctionId],
    );
    expect(rows.map((r) => r.v)).toEqual(Array.from({ length: rows.length }, (_, i) => i + 1));
    expect(rows.length).toBe(auction.version);
  });
});

describe('an auction created by a request whose API died before answering', () => {
  it('is the one the retry with the same key answers with, even after its end has passed', async () => {
    // A create whose commit landed but whose answer was never stored (the API was
    // SIGKILLed in between) runs again when retried; it must find its own auction, not
    // make a second one (nor refuse an end that has passed since: chaos auctions end in seconds).
    const key = `create-${crypto.randomUUID()}`;
    const body = {
      title: 'Crash between commit and answer',
      startingPrice: usd('5.00'),
      endsAt: new Date(Date.now() + 1_500).toISOString(),
      fulfilment: 'service',
    };
    const create = () => platform.api.call('POST', '/auctions', { as: seller, body, headers: { 'idempotency-key': key } });
    const first = await create();
    expect(first.status).toBe(201);
    await forgetIdempotentAnswer(platform.db.pools.write, seller, key);
    await new Promise((resolve) => setTimeout(resolve, 2_000));

    const retried = await create();
    expect(retried.status).toBe(201);
    expect(retried.body.id).toBe(first.body.id);
    const { rows } = await platform.db.pools.read.query('SELECT count(*)::int AS n FROM auctions WHERE title = $1', [body.title]);
    expect(rows[0].n).toBe(1);
  });
});
