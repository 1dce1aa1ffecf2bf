/**
 * The Auction aggregate's state machine (src/auctions/domain.ts), pinned down as pure rules:
 *
 *     open ──end──► ended ──markPaid──► paid ──markRefunded──► refunded
 *                     └───markUnpaid──► unpaid
 *     (`cancelled` exists in the status enum; no command leads there, and nothing leaves it)
 *
 * - create checks the title (1..200 characters after trimming) and that endsAt is in the future.
 * - placeBid: only while open and before endsAt (409), never by the seller (422), only in the
 *   auction's currency (400), only above the current price (422); an overtaken leader is told.
 * - end() is idempotent; assertCanBeEndedBy lets only the seller (403) end an open auction (409).
 * - markPaid / markUnpaid need an ended auction with a winner, markRefunded a paid one (409);
 *   each repeated is a no-op.
 * - attachPayment / attachFulfilment: once per id, a different id is a 409.
 * - Every refusal records no event and changes no state.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Auction, MAX_TITLE, type AuctionEvent, type AuctionStatus } from '../../src/auctions/domain.ts';
import { BusinessRuleViolation, Conflict, Forbidden, InvalidInput } from '../../src/kernel/errors.ts';
import { Money } from '../../src/kernel/money.ts';
import { expectNoChange as expectNoChangeOf, expectRefusedUnchanged, type DomainErrorClass } from '../support/aggregate-expectations.ts';

const usd = (amount: string) => Money.of(amount, 'USD');
const AUCTION_ID = 'auction-1';
const SELLER = 'seller-1';
const ALICE = 'bidder-alice';
const BOB = 'bidder-bob';
const STRANGER = 'someone-else';
const TITLE = 'A brass lamp';
const STARTING_PRICE = usd('10.00');
const CREATED_AT = new Date('2030-01-01T00:00:00.000Z');
const DURING = new Date('2030-01-02T00:00:00.000Z');
const ENDS_AT = new Date('2030-01-08T00:00:00.000Z');
const justBeforeTheEnd = new Date(ENDS_AT.getTime() - 1);
const justAfterTheEnd = new Date(ENDS_AT.getTime() + 1);

function created(overrides: Partial<Parameters<typeof Auction.create>[0]> = {}): Auction {
  return Auction.create({
    id: AUCTION_ID,
    sellerId: SELLER,
    title: TITLE,
    startingPrice: STARTING_PRICE,
    endsAt: ENDS_AT,
    fulfilment: 'delivery',
    now: CREATED_AT,
    ...overrides,
  });
}

/**
 * Every status, plus the two variants that matter for the rules: an open auction nobody
 * bid on, and an auction that ended without a winner.
 */
type Situation = AuctionStatus | 'open-without-bids' | 'ended-without-winner';
const SITUATIONS: Situation[] = ['open', 'open-without-bids', 'ended', 'ended-without-winner', 'paid', 'unpaid', 'refunded', 'cancelled'];

/**
 * An auction brought to `situation` through its own commands (Alice leads at 30.00 unless
 * nobody bid), its events persisted, so `pendingEvents` holds only what the test does next.
 * `cancelled` is restored: no command reaches it.
 */
function auctionIn(situation: Situation): Auction {
  if (situation === 'cancelled') {
    const { state } = auctionIn('open-without-bids');
    return Auction.restore(AUCTION_ID, 5, { ...state, status: 'cancelled' });
  }
  const a = created();
  const withBids = situation !== 'open-without-bids' && situation !== 'ended-without-winner';
  if (withBids) a.placeBid({ id: 'bid-1', bidderId: ALICE, amount: usd('30.00'), now: DURING });
  if (situation !== 'open' && situation !== 'open-without-bids') a.end();
  if (situation === 'paid' || situation === 'refunded') a.markPaid();
  if (situation === 'unpaid') a.markUnpaid();
  if (situation === 'refunded') a.markRefunded();
  a.markPersisted();
  const expectedStatus = situation === 'open-without-bids' ? 'open' : situation === 'ended-without-winner' ? 'ended' : situation;
  expect(a.state.status).toBe(expectedStatus);
  return a;
}

/** Everything observable of an auction, as plain values. */
function snapshot(a: Auction) {
  const { startingPrice, currentPrice, endsAt, ...rest } = a.state;
  return {
    ...rest,
    startingPrice: startingPrice.toString(),
    currentPrice: currentPrice.toString(),
    endsAt: endsAt.toISOString(),
    version: a.version,
    newBids: a.newBids.length,
  };
}

/** `act` changes nothing: same state, same version, no event, no new bid. */
const expectNoChange = (a: Auction, act: () => unknown) => expectNoChangeOf(a, snapshot, act);

/** `act` is refused with exactly `error` (not a subclass), and the refusal changes nothing. */
const expectRefused = (a: Auction, act: () => unknown, error: DomainErrorClass) => expectRefusedUnchanged(a, snapshot, act, error);

/** `act` recorded exactly `events` (in order) and advanced the version by as many. */
function expectRecorded(a: Auction, act: () => unknown, events: AuctionEvent[]): void {
  const before = a.version;
  act();
  expect(a.pendingEvents).toEqual(events);
  expect(a.version).toBe(before + events.length);
  a.markPersisted();
}

describe('Auction.create', () => {
  it('opens the auction at its starting price with no leader, recording AuctionCreated as version 1', () => {
    const a = created({ fulfilment: 'service' });
    expect(a.id).toBe(AUCTION_ID);
    expect(a.version).toBe(1);
    expect(a.loadedVersion).toBe(0);
    expect(a.pendingEvents).toEqual([
      {
        type: 'AuctionCreated',
        sellerId: SELLER,
        title: TITLE,
        startingPrice: { amount: '10.00', currency: 'USD' },
        endsAt: '2030-01-08T00:00:00.000Z',
        fulfilment: 'service',
      },
    ]);
    expect(snapshot(a)).toEqual({
      sellerId: SELLER,
      title: TITLE,
      startingPrice: '10.00 USD',
      currentPrice: '10.00 USD',
      leaderId: null,
      bidCount: 0,
      endsAt: '2030-01-08T00:00:00.000Z',
      fulfilment: 'service',
      status: 'open',
      winnerId: null,
      paymentId: null,
      deliveryId: null,
      serviceId: null,
      version: 1,
      newBids: 0,
    });
    expect(a.isAcceptingBids(DURING)).toBe(true);
  });

  it('trims the title, in the state and in the event', () => {
    const a = created({ title: '  A brass lamp \n' });
    expect(a.state.title).toBe(TITLE);
    expect(a.pendingEvents[0]).toMatchObject({ type: 'AuctionCreated', title: TITLE });
  });

  it(`accepts a title of exactly ${MAX_TITLE} characters, counted after trimming`, () => {
    const longest = 'x'.repeat(MAX_TITLE);
    expect(created({ title: `  ${longest}  ` }).state.title).toBe(longest);
  });

  it.each([
    ['empty', ''],
    ['only whitespace', '   \t '],
    [`${MAX_TITLE + 1} characters`, 'x'.repeat(MAX_TITLE + 1)],
  ])('refuses a title that is %s (400, naming the title field)', (_, title) => {
    let thrown: unknown;
    try {
      created({ title });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(InvalidInput);
    expect((thrown as InvalidInput).errors).toEqual([{ path: 'title', message: `must be 1 to ${MAX_TITLE} characters` }]);
  });

  it.each([
    ['now', CREATED_AT],
    ['in the past', new Date(CREATED_AT.getTime() - 1)],
  ])('refuses an end that is %s (400, naming endsAt), and accepts one a millisecond later', (_, endsAt) => {
    let thrown: unknown;
    try {
      created({ endsAt });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(InvalidInput);
    expect((thrown as InvalidInput).errors).toEqual([{ path: 'endsAt', message: 'must be in the future' }]);
    expect(created({ endsAt: new Date(CREATED_AT.getTime() + 1) }).state.status).toBe('open');
  });
});

describe('Auction.restore', () => {
  it('restores at the stored version without recording, and continues from it', () => {
    const original = auctionIn('open');
    const a = Auction.restore(AUCTION_ID, 9, { ...original.state });
    expect(a.version).toBe(9);
    expect(a.loadedVersion).toBe(9);
    expect(a.pendingEvents).toEqual([]);
    expect(a.newBids).toEqual([]);
    a.placeBid({ id: 'bid-2', bidderId: BOB, amount: usd('31.00'), now: DURING });
    expect(a.version).toBe(11); // BidPlaced + BidderHasBeenOverbid
    expect(a.loadedVersion).toBe(9);
  });
});

describe('Auction.placeBid', () => {
  it('takes the first bid above the starting price: BidPlaced only, the bidder leads', () => {
    const a = auctionIn('open-without-bids');
    expectRecorded(a, () => a.placeBid({ id: 'bid-1', bidderId: ALICE, amount: usd('10.01'), now: DURING }), [
      {
        type: 'BidPlaced',
        bidId: 'bid-1',
        bidderId: ALICE,
        amount: { amount: '10.01', currency: 'USD' },
        placedAt: DURING.toISOString(),
        sellerId: SELLER,
        title: TITLE,
      },
    ]);
    expect(a.state).toMatchObject({ leaderId: ALICE, bidCount: 1, status: 'open' });
    expect(a.state.currentPrice.toString()).toBe('10.01 USD');
  });

  it('tells the leader it was overbid when someone else bids higher', () => {
    const a = auctionIn('open'); // Alice leads at 30.00
    expectRecorded(a, () => a.placeBid({ id: 'bid-2', bidderId: BOB, amount: usd('30.01'), now: DURING }), [
      {
        type: 'BidPlaced',
        bidId: 'bid-2',
        bidderId: BOB,
        amount: { amount: '30.01', currency: 'USD' },
        placedAt: DURING.toISOString(),
        sellerId: SELLER,
        title: TITLE,
      },
      { type: 'BidderHasBeenOverbid', bidderId: ALICE, newPrice: { amount: '30.01', currency: 'USD' }, title: TITLE },
    ]);
    expect(a.state).toMatchObject({ leaderId: BOB, bidCount: 2 });
  });

  it('lets the leader raise its own bid without telling it it was overbid', () => {
    const a = auctionIn('open');
    const act = () => a.placeBid({ id: 'bid-2', bidderId: ALICE, amount: usd('45.00'), now: DURING });
    const before = a.version;
    act();
    expect(a.pendingEvents.map((e) => e.type)).toEqual(['BidPlaced']);
    expect(a.version).toBe(before + 1);
    expect(a.state).toMatchObject({ leaderId: ALICE, bidCount: 2 });
    expect(a.state.currentPrice.toString()).toBe('45.00 USD');
  });

  it('hands each accepted bid to the repository once: newBids, emptied by markPersisted', () => {
    const a = auctionIn('open-without-bids');
    a.placeBid({ id: 'bid-1', bidderId: ALICE, amount: usd('11.00'), now: DURING });
    a.placeBid({ id: 'bid-2', bidderId: BOB, amount: usd('12.00'), now: justBeforeTheEnd });
    expect(a.newBids.map((b) => ({ ...b, amount: b.amount.toString(), placedAt: b.placedAt.toISOString() }))).toEqual([
      { id: 'bid-1', bidderId: ALICE, amount: '11.00 USD', placedAt: DURING.toISOString() },
      { id: 'bid-2', bidderId: BOB, amount: '12.00 USD', placedAt: '2030-01-07T23:59:59.999Z' },
    ]);
    a.markPersisted();
    expect(a.newBids).toEqual([]);
    expect(a.pendingEvents).toEqual([]);
  });

  it('accepts a bid a millisecond before endsAt and refuses one at endsAt (409), though the auction is still open', () => {
    const a = auctionIn('open');
    expectRefused(a, () => a.placeBid({ id: 'bid-2', bidderId: BOB, amount: usd('40.00'), now: ENDS_AT }), Conflict);
    expectRefused(a, () => a.placeBid({ id: 'bid-2', bidderId: BOB, amount: usd('40.00'), now: justAfterTheEnd }), Conflict);
    expect(a.isAcceptingBids(ENDS_AT)).toBe(false);
    expect(a.state.status).toBe('open');
    a.placeBid({ id: 'bid-2', bidderId: BOB, amount: usd('40.00'), now: justBeforeTheEnd });
    expect(a.state.leaderId).toBe(BOB);
  });

  it('refuses the seller (422)', () => {
    const a = auctionIn('open');
    expectRefused(a, () => a.placeBid({ id: 'bid-2', bidderId: SELLER, amount: usd('100.00'), now: DURING }), BusinessRuleViolation);
  });

  it("refuses another currency than the auction's (400, naming amount.currency)", () => {
    const a = auctionIn('open');
    const error = expectRefused(
      a,
      () => a.placeBid({ id: 'bid-2', bidderId: BOB, amount: Money.of('100.00', 'EUR'), now: DURING }),
      InvalidInput,
    );
    expect((error as InvalidInput).errors).toEqual([{ path: 'amount.currency', message: 'must be USD' }]);
  });

  it.each([
    ['equal to the current price', '30.00'],
    ['below the current price', '29.99'],
    ['zero', '0'],
  ])('refuses a bid %s (422)', (_, amount) => {
    const a = auctionIn('open');
    expectRefused(a, () => a.placeBid({ id: 'bid-2', bidderId: BOB, amount: usd(amount), now: DURING }), BusinessRuleViolation);
  });

  it('refuses a bid equal to the starting price when nobody bid yet (422)', () => {
    const a = auctionIn('open-without-bids');
    expectRefused(a, () => a.placeBid({ id: 'bid-1', bidderId: ALICE, amount: STARTING_PRICE, now: DURING }), BusinessRuleViolation);
  });

  it('refuses the very same bid placed twice: the repeat is not above the price it set (422)', () => {
    const a = auctionIn('open-without-bids');
    const bid = { id: 'bid-1', bidderId: ALICE, amount: usd('20.00'), now: DURING };
    a.placeBid(bid);
    a.markPersisted();
    expectRefused(a, () => a.placeBid(bid), BusinessRuleViolation);
  });

  it('checks an ended auction first (409), then the seller (422), then the currency (400), then the amount (422)', () => {
    const a = auctionIn('open');
    expectRefused(a, () => a.placeBid({ id: 'b', bidderId: SELLER, amount: Money.of('1', 'SAT'), now: ENDS_AT }), Conflict);
    expectRefused(a, () => a.placeBid({ id: 'b', bidderId: SELLER, amount: Money.of('1', 'SAT'), now: DURING }), BusinessRuleViolation);
    expectRefused(a, () => a.placeBid({ id: 'b', bidderId: BOB, amount: Money.of('1', 'SAT'), now: DURING }), InvalidInput);
    expectRefused(a, () => a.placeBid({ id: 'b', bidderId: BOB, amount: usd('1.00'), now: DURING }), BusinessRuleViolation);
  });
});

describe('Auction.end', () => {
  it('ends an open auction: the leader wins at the current price, AuctionEnded', () => {
    const a = auctionIn('open');
    let outcome: { winnerId: string | null } | undefined;
    expectRecorded(a, () => (outcome = a.end()), [
      {
        type: 'AuctionEnded',
        winnerId: ALICE,
        winningBid: { amount: '30.00', currency: 'USD' },
        sellerId: SELLER,
        title: TITLE,
        fulfilment: 'delivery',
        endsAt: ENDS_AT.toISOString(),
      },
    ]);
    expect(outcome).toEqual({ winnerId: ALICE });
    expect(a.state).toMatchObject({ status: 'ended', winnerId: ALICE, leaderId: ALICE });
    expect(a.isAcceptingBids(DURING)).toBe(false);
  });

  it('ends an auction nobody bid on without a winner nor a winning bid', () => {
    const a = auctionIn('open-without-bids');
    let outcome: { winnerId: string | null } | undefined;
    expectRecorded(a, () => (outcome = a.end()), [
      {
        type: 'AuctionEnded',
        winnerId: null,
        winningBid: null,
        sellerId: SELLER,
        title: TITLE,
        fulfilment: 'delivery',
        endsAt: ENDS_AT.toISOString(),
      },
    ]);
    expect(outcome).toEqual({ winnerId: null });
    expect(a.state).toMatchObject({ status: 'ended', winnerId: null });
  });

  it.each(['ended', 'paid', 'unpaid', 'refunded'] as const)('changes nothing on a %s auction, answering the same winner', (situation) => {
    const a = auctionIn(situation);
    expectNoChange(a, () => expect(a.end()).toEqual({ winnerId: ALICE }));
    expectNoChange(a, () => expect(a.end()).toEqual({ winnerId: ALICE }));
  });

  it.each(['ended-without-winner', 'cancelled'] as const)('changes nothing on a %s auction, answering no winner', (situation) => {
    const a = auctionIn(situation);
    expectNoChange(a, () => expect(a.end()).toEqual({ winnerId: null }));
  });
});

describe('Auction.assertCanBeEndedBy', () => {
  it('lets the seller end an open auction, recording nothing', () => {
    for (const situation of ['open', 'open-without-bids'] as const) {
      const a = auctionIn(situation);
      expectNoChange(a, () => a.assertCanBeEndedBy(SELLER));
    }
  });

  it.each(SITUATIONS)('refuses anyone but the seller, the leader included, on a %s auction (403)', (situation) => {
    const a = auctionIn(situation);
    expectRefused(a, () => a.assertCanBeEndedBy(ALICE), Forbidden);
    expectRefused(a, () => a.assertCanBeEndedBy(STRANGER), Forbidden);
  });

  it.each(SITUATIONS.filter((s) => s !== 'open' && s !== 'open-without-bids'))(
    'refuses the seller once the auction is no longer open: %s (409)',
    (situation) => {
      const a = auctionIn(situation);
      expectRefused(a, () => a.assertCanBeEndedBy(SELLER), Conflict);
    },
  );
});

describe('Auction: paid, unpaid, refunded', () => {
  const parties = { winnerId: ALICE, sellerId: SELLER, title: TITLE };

  it('marks an ended auction paid: AuctionPaid, then a repeat changes nothing', () => {
    const a = auctionIn('ended');
    expectRecorded(a, () => a.markPaid(), [{ type: 'AuctionPaid', ...parties }]);
    expect(a.state.status).toBe('paid');
    expectNoChange(a, () => a.markPaid());
  });

  it('marks an ended auction unpaid: AuctionUnpaid, then a repeat changes nothing', () => {
    const a = auctionIn('ended');
    expectRecorded(a, () => a.markUnpaid(), [{ type: 'AuctionUnpaid', ...parties }]);
    expect(a.state.status).toBe('unpaid');
    expectNoChange(a, () => a.markUnpaid());
  });

  it('marks a paid auction refunded: AuctionRefunded, then a repeat changes nothing', () => {
    const a = auctionIn('paid');
    expectRecorded(a, () => a.markRefunded(), [{ type: 'AuctionRefunded', ...parties }]);
    expect(a.state.status).toBe('refunded');
    expectNoChange(a, () => a.markRefunded());
  });

  it('refuses to mark an auction without a winner paid, unpaid or refunded (409)', () => {
    const a = auctionIn('ended-without-winner');
    expectRefused(a, () => a.markPaid(), Conflict);
    expectRefused(a, () => a.markUnpaid(), Conflict);
    expectRefused(a, () => a.markRefunded(), Conflict);
  });

  it('refuses an ended status whose winner is missing even when restored so (409)', () => {
    const a = Auction.restore(AUCTION_ID, 3, { ...auctionIn('ended').state, winnerId: null });
    expectRefused(a, () => a.markPaid(), Conflict);
    expectRefused(a, () => a.markUnpaid(), Conflict);
  });
});

describe('Auction: attaching the payment and the fulfilment', () => {
  it('attaches a payment once: PaymentAttached; the same id again changes nothing; another is refused (409)', () => {
    const a = auctionIn('ended');
    expectRecorded(a, () => a.attachPayment('payment-1'), [{ type: 'PaymentAttached', paymentId: 'payment-1' }]);
    expect(a.state.paymentId).toBe('payment-1');
    expect(a.state.status).toBe('ended');
    expectNoChange(a, () => a.attachPayment('payment-1'));
    expectRefused(a, () => a.attachPayment('payment-2'), Conflict);
    expect(a.state.paymentId).toBe('payment-1');
  });

  it.each(['delivery', 'service'] as const)(
    'attaches a %s once: FulfilmentAttached; the same id again changes nothing; another is refused (409)',
    (kind) => {
      const a = auctionIn('paid');
      expectRecorded(a, () => a.attachFulfilment(kind, `${kind}-1`), [{ type: 'FulfilmentAttached', kind, fulfilmentId: `${kind}-1` }]);
      expect(kind === 'delivery' ? a.state.deliveryId : a.state.serviceId).toBe(`${kind}-1`);
      expect(a.state.status).toBe('paid');
      expectNoChange(a, () => a.attachFulfilment(kind, `${kind}-1`));
      expectRefused(a, () => a.attachFulfilment(kind, `${kind}-2`), Conflict);
    },
  );

  it('keeps the delivery and the service slots apart', () => {
    const a = auctionIn('paid');
    a.attachFulfilment('delivery', 'delivery-1');
    a.markPersisted();
    expectNoChange(a, () => a.attachFulfilment('delivery', 'delivery-1'));
    expect(a.state.serviceId).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------
// The whole (situation x command) table for the commands that move the status.

type Command = 'placeBid' | 'assertCanBeEndedBySeller' | 'end' | 'markPaid' | 'markUnpaid' | 'markRefunded';
const COMMANDS: Record<Command, (a: Auction) => unknown> = {
  placeBid: (a) => a.placeBid({ id: 'bid-9', bidderId: BOB, amount: usd('99.00'), now: DURING }),
  assertCanBeEndedBySeller: (a) => a.assertCanBeEndedBy(SELLER),
  end: (a) => a.end(),
  markPaid: (a) => a.markPaid(),
  markUnpaid: (a) => a.markUnpaid(),
  markRefunded: (a) => a.markRefunded(),
};

type Outcome = { to: AuctionStatus; events: AuctionEvent['type'][] } | 'no-op' | 'conflict';
const bid = (overbid: boolean): Outcome => ({ to: 'open', events: overbid ? ['BidPlaced', 'BidderHasBeenOverbid'] : ['BidPlaced'] });
const ended: Outcome = { to: 'ended', events: ['AuctionEnded'] };
const refusedAfterOpen = { placeBid: 'conflict', assertCanBeEndedBySeller: 'conflict', end: 'no-op' } as const;

const TABLE: Record<Situation, Record<Command, Outcome>> = {
  open: {
    placeBid: bid(true),
    assertCanBeEndedBySeller: 'no-op',
    end: ended,
    markPaid: 'conflict',
    markUnpaid: 'conflict',
    markRefunded: 'conflict',
  },
  'open-without-bids': {
    placeBid: bid(false),
    assertCanBeEndedBySeller: 'no-op',
    end: ended,
    markPaid: 'conflict',
    markUnpaid: 'conflict',
    markRefunded: 'conflict',
  },
  ended: {
    ...refusedAfterOpen,
    markPaid: { to: 'paid', events: ['AuctionPaid'] },
    markUnpaid: { to: 'unpaid', events: ['AuctionUnpaid'] },
    markRefunded: 'conflict',
  },
  'ended-without-winner': { ...refusedAfterOpen, markPaid: 'conflict', markUnpaid: 'conflict', markRefunded: 'conflict' },
  paid: { ...refusedAfterOpen, markPaid: 'no-op', markUnpaid: 'conflict', markRefunded: { to: 'refunded', events: ['AuctionRefunded'] } },
  unpaid: { ...refusedAfterOpen, markPaid: 'conflict', markUnpaid: 'no-op', markRefunded: 'conflict' },
  refunded: { ...refusedAfterOpen, markPaid: 'conflict', markUnpaid: 'conflict', markRefunded: 'no-op' },
  cancelled: { ...refusedAfterOpen, markPaid: 'conflict', markUnpaid: 'conflict', markRefunded: 'conflict' },
};

describe('Auction: every (situation x command)', () => {
  describe.each(SITUATIONS)('on a %s auction', (situation) => {
    it.each(Object.keys(COMMANDS) as Command[])('%s', (command) => {
      const a = auctionIn(situation);
      const expected = TABLE[situation][command];
      if (expected === 'conflict') {
        expectRefused(a, () => COMMANDS[command](a), Conflict);
      } else if (expected === 'no-op') {
        expectNoChange(a, () => COMMANDS[command](a));
      } else {
        const before = a.version;
        COMMANDS[command](a);
        expect(a.state.status).toBe(expected.to);
        expect(a.pendingEvents.map((e) => e.type)).toEqual(expected.events);
        expect(a.version).toBe(before + expected.events.length);
      }
    });
  });
});

// ---------------------------------------------------------------------------------------
// Random sequences of bids against a model of the rules.

describe('Auction: any sequence of bids', () => {
  const bidStep = fc.record({
    bidderId: fc.constantFrom(ALICE, BOB, 'bidder-carol', SELLER),
    cents: fc.bigInt({ min: 0n, max: 5000n }),
    currency: fc.constantFrom('USD' as const, 'USD' as const, 'USD' as const, 'EUR' as const),
    late: fc.constantFrom(false, false, false, false, true),
  });

  it('accepts exactly the bids the rules allow, recording BidPlaced (and an overbid notice) for each, and nothing for the others', () => {
    fc.assert(
      fc.property(fc.array(bidStep, { maxLength: 40 }), (steps) => {
        const a = auctionIn('open-without-bids');
        let price = STARTING_PRICE.minorUnits;
        let leader: string | null = null;
        let accepted = 0;
        steps.forEach((s, i) => {
          const amount = Money.fromMinorUnits(s.cents, s.currency);
          const now = s.late ? ENDS_AT : DURING;
          const expectedRefusal: DomainErrorClass | undefined = s.late
            ? Conflict
            : s.bidderId === SELLER
              ? BusinessRuleViolation
              : s.currency !== 'USD'
                ? InvalidInput
                : s.cents <= price
                  ? BusinessRuleViolation
                  : undefined;
          const place = () => a.placeBid({ id: `bid-${i}`, bidderId: s.bidderId, amount, now });
          if (expectedRefusal) {
            expectRefused(a, place, expectedRefusal);
            return;
          }
          const before = a.version;
          place();
          const overbid = leader !== null && leader !== s.bidderId;
          expect(a.pendingEvents.map((e) => e.type)).toEqual(overbid ? ['BidPlaced', 'BidderHasBeenOverbid'] : ['BidPlaced']);
          expect(a.version).toBe(before + (overbid ? 2 : 1));
          if (overbid) expect(a.pendingEvents[1]).toMatchObject({ bidderId: leader });
          a.markPersisted();
          price = s.cents;
          leader = s.bidderId;
          accepted += 1;
        });
        expect(a.state.currentPrice.minorUnits).toBe(price);
        expect(a.state.leaderId).toBe(leader);
        expect(a.state.bidCount).toBe(accepted);
        expect(a.state.status).toBe('open');
        expect(a.end()).toEqual({ winnerId: leader });
      }),
      { numRuns: 500 },
    );
  });
});
