/**
 * The seller's payout (Payout, src/payouts/domain.ts) and the platform's fee:
 *
 *     scheduled ──pay (timer, once)──► paid
 *
 * - platformFee keeps `feeBasisPoints` of the gross, rounded half up to the currency's
 *   precision; the seller's net is the rest, so gross = fee + net, always.
 * - schedule() books the sale: the gross leaves `external:card-payments:<cur>` into the
 *   seller's `earnings:<cur>:<sellerId>` (net) and `platform:fees:<cur>` (fee). pay() moves
 *   the net from the earnings to `external:payouts:<cur>`, once; a repeat is a no-op.
 * - Every posting balances (sums to zero), and entries of zero are left out.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertBalanced, type Posting } from '../../src/accounting/domain.ts';
import { Money, type Currency } from '../../src/kernel/money.ts';
import {
  cardPaymentsAccount,
  earningsAccount,
  feesAccount,
  Payout,
  payoutsAccount,
  platformFee,
  type PayoutState,
} from '../../src/payouts/domain.ts';

const PAYOUT_ID = 'payout-1';
const AUCTION_ID = 'auction-1';
const SELLER = 'seller-1';
const TITLE = 'A brass lamp';
const PAYABLE_AT = new Date('2025-03-02T10:00:00.000Z');
const PAID_AT = new Date('2025-03-02T10:00:05.000Z');

const money = (amount: string, currency: Currency = 'USD') => Money.of(amount, currency);

function scheduled(gross: Money, feeBasisPoints = 500): Payout {
  return Payout.schedule({
    id: PAYOUT_ID,
    auctionId: AUCTION_ID,
    sellerId: SELLER,
    title: TITLE,
    gross,
    feeBasisPoints,
    payableAt: PAYABLE_AT,
  });
}

function snapshot(p: Payout) {
  return { ...p.state, version: p.version, postings: [...p.unsavedPostings()] };
}

const sum = (posting: Posting) => posting.entries.reduce((total, e) => total + e.amount, 0n);

describe('platformFee (basis points, rounded half up)', () => {
  it.each([
    ['10.00', 'USD', 500, '0.50'], // 5%
    ['0.10', 'USD', 500, '0.01'], // 5% of 10 cents is 0.5 cent → 1
    ['0.09', 'USD', 500, '0.00'], // 0.45 cent → 0
    ['0.30', 'USD', 500, '0.02'], // 1.5 cents → 2
    ['10.00', 'USD', 0, '0.00'], // 0%
    ['10.00', 'USD', 10_000, '10.00'], // 100%
    ['0.01', 'USD', 10_000, '0.01'],
    ['10.00', 'USD', 250, '0.25'], // 2.5%
    ['0.20', 'USD', 250, '0.01'], // 0.5 cent → 1
    ['0.19', 'USD', 250, '0.00'], // 0.475 cent → 0
    ['123.45', 'EUR', 225, '2.78'], // 2.25%: 277.7625 cents → 278
    ['0.01', 'USD', 5_000, '0.01'], // 50% of a cent → 1
    ['0.01', 'USD', 4_999, '0.00'],
    ['0.00', 'USD', 500, '0.00'],
    ['1000', 'SAT', 500, '50'],
    ['10', 'SAT', 500, '1'], // 0.5 sat → 1
    ['9', 'SAT', 500, '0'], // 0.45 sat → 0
  ] as const)('%s %s at %i bp → %s', (gross, currency, bp, fee) => {
    expect(platformFee(money(gross, currency), bp)).toEqual(money(fee, currency));
  });

  it('keeps half up within half a minor unit of the exact fee, never more than the gross, for any amount and fee', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 15n }), fc.integer({ min: 0, max: 10_000 }), (minor, bp) => {
        const fee = platformFee(Money.fromMinorUnits(minor, 'USD'), bp).minorUnits;
        // 10000 × fee is within half a minor unit (5000) of gross × bp, a tie rounding up.
        const error = 10_000n * fee - minor * BigInt(bp);
        expect(error > -5_000n && error <= 5_000n).toBe(true);
        expect(fee <= minor).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('Payout.schedule', () => {
  it('schedules gross less the fee, recording PayoutScheduled by the platform as version 1', () => {
    const p = scheduled(money('10.00'), 500);
    expect(p.id).toBe(PAYOUT_ID);
    expect(p.version).toBe(1);
    expect(p.loadedVersion).toBe(0);
    expect(p.state).toEqual<PayoutState>({
      auctionId: AUCTION_ID,
      sellerId: SELLER,
      title: TITLE,
      gross: money('10.00'),
      fee: money('0.50'),
      net: money('9.50'),
      status: 'scheduled',
      payableAt: PAYABLE_AT,
      paidAt: null,
    });
    expect(p.pendingEvents).toEqual([
      {
        type: 'PayoutScheduled',
        auctionId: AUCTION_ID,
        sellerId: SELLER,
        title: TITLE,
        gross: { amount: '10.00', currency: 'USD' },
        fee: { amount: '0.50', currency: 'USD' },
        net: { amount: '9.50', currency: 'USD' },
        payableAt: PAYABLE_AT.toISOString(),
        actor: 'platform',
      },
    ]);
  });

  it('books the sale: card payments → seller’s earnings (net) and platform fees (fee), balanced', () => {
    const p = scheduled(money('10.00'), 500);
    const postings = p.unsavedPostings();
    expect(postings).toEqual([
      {
        id: PAYOUT_ID,
        kind: 'sale',
        reference: AUCTION_ID,
        currency: 'USD',
        entries: [
          { accountId: 'external:card-payments:USD', amount: -1000n },
          { accountId: 'earnings:USD:seller-1', amount: 950n },
          { accountId: 'platform:fees:USD', amount: 50n },
        ],
      },
    ]);
    expect(sum(postings[0]!)).toBe(0n);
    expect(() => assertBalanced(postings[0]!)).not.toThrow();
  });

  it('names the accounts per currency', () => {
    const p = scheduled(money('2000', 'SAT'), 250);
    expect(p.unsavedPostings()[0]!.entries).toEqual([
      { accountId: cardPaymentsAccount('SAT'), amount: -2000n },
      { accountId: earningsAccount('SAT', SELLER), amount: 1950n },
      { accountId: feesAccount('SAT'), amount: 50n },
    ]);
    expect(cardPaymentsAccount('SAT')).toBe('external:card-payments:SAT');
    expect(earningsAccount('SAT', SELLER)).toBe('earnings:SAT:seller-1');
    expect(feesAccount('SAT')).toBe('platform:fees:SAT');
    expect(payoutsAccount('SAT')).toBe('external:payouts:SAT');
  });

  it('leaves out the fee entry at 0%: two entries, the seller gets it all', () => {
    const p = scheduled(money('10.00'), 0);
    expect(p.state).toMatchObject({ fee: money('0.00'), net: money('10.00') });
    expect(p.unsavedPostings()[0]!.entries).toEqual([
      { accountId: 'external:card-payments:USD', amount: -1000n },
      { accountId: 'earnings:USD:seller-1', amount: 1000n },
    ]);
  });

  it('leaves out the earnings entry at 100%: two entries, the platform keeps it all', () => {
    const p = scheduled(money('10.00'), 10_000);
    expect(p.state).toMatchObject({ fee: money('10.00'), net: money('0.00') });
    expect(p.unsavedPostings()[0]!.entries).toEqual([
      { accountId: 'external:card-payments:USD', amount: -1000n },
      { accountId: 'platform:fees:USD', amount: 1000n },
    ]);
  });

  it('leaves out the fee entry when the fee rounds to zero', () => {
    const p = scheduled(money('0.09'), 500);
    expect(p.unsavedPostings()[0]!.entries).toHaveLength(2);
    expect(p.state.net).toEqual(money('0.09'));
  });

  it('books no posting at all for a gross of zero', () => {
    const p = scheduled(money('0.00'), 500);
    expect(p.unsavedPostings()).toEqual([]);
    expect(p.pendingEvents.map((e) => e.type)).toEqual(['PayoutScheduled']);
  });

  it('forgets the postings once persisted', () => {
    const p = scheduled(money('10.00'));
    p.markPersisted();
    expect(p.unsavedPostings()).toEqual([]);
    expect(p.pendingEvents).toEqual([]);
    expect(p.version).toBe(1);
  });
});

describe('Payout.pay', () => {
  it('pays the net once: earnings → external payouts, PayoutPaid by the timer', () => {
    const p = scheduled(money('10.00'), 500);
    p.markPersisted();
    p.pay('posting-pay-1', PAID_AT);
    expect(p.state).toMatchObject({ status: 'paid', paidAt: PAID_AT, net: money('9.50') });
    expect(p.version).toBe(2);
    expect(p.pendingEvents).toEqual([
      {
        type: 'PayoutPaid',
        auctionId: AUCTION_ID,
        sellerId: SELLER,
        title: TITLE,
        net: { amount: '9.50', currency: 'USD' },
        actor: 'timer',
      },
    ]);
    expect(p.unsavedPostings()).toEqual([
      {
        id: 'posting-pay-1',
        kind: 'payout',
        reference: PAYOUT_ID,
        currency: 'USD',
        entries: [
          { accountId: 'earnings:USD:seller-1', amount: -950n },
          { accountId: 'external:payouts:USD', amount: 950n },
        ],
      },
    ]);
    expect(sum(p.unsavedPostings()[0]!)).toBe(0n);
  });

  it('makes a repeat a no-op: no event, no second posting, the first payment time kept', () => {
    const p = scheduled(money('10.00'));
    p.markPersisted();
    p.pay('posting-pay-1', PAID_AT);
    p.markPersisted();
    const before = snapshot(p);
    p.pay('posting-pay-2', new Date(PAID_AT.getTime() + 60_000));
    expect(snapshot(p)).toEqual(before);
    expect(p.pendingEvents).toEqual([]);
    expect(p.unsavedPostings()).toEqual([]);
  });

  it('keeps only the first posting when paid twice before persisting', () => {
    const p = scheduled(money('10.00'));
    p.markPersisted();
    p.pay('posting-pay-1', PAID_AT);
    p.pay('posting-pay-2', PAID_AT);
    expect(p.unsavedPostings().map((x) => x.id)).toEqual(['posting-pay-1']);
    expect(p.pendingEvents).toHaveLength(1);
  });

  it('pays a restored payout once, from its stored version', () => {
    const stored = scheduled(money('10.00')).state;
    const p = Payout.restore(PAYOUT_ID, 1, { ...stored });
    expect(p.pendingEvents).toEqual([]);
    p.pay('posting-pay-1', PAID_AT);
    expect(p.version).toBe(2);
    expect(p.loadedVersion).toBe(1);
    const paid = Payout.restore(PAYOUT_ID, 2, { ...p.state });
    paid.pay('posting-pay-2', PAID_AT);
    expect(paid.pendingEvents).toEqual([]);
    expect(paid.unsavedPostings()).toEqual([]);
  });

  it('marks a payout with nothing left for the seller (100% fee) paid, with no posting', () => {
    const p = scheduled(money('10.00'), 10_000);
    p.markPersisted();
    p.pay('posting-pay-1', PAID_AT);
    expect(p.state.status).toBe('paid');
    expect(p.unsavedPostings()).toEqual([]);
    expect(p.pendingEvents).toEqual([
      {
        type: 'PayoutPaid',
        auctionId: AUCTION_ID,
        sellerId: SELLER,
        title: TITLE,
        net: { amount: '0.00', currency: 'USD' },
        actor: 'timer',
      },
    ]);
  });
});

describe('the books of a sold auction', () => {
  it('balance for any gross and fee: gross = fee + net, every posting sums to zero, no entry is zero, the earnings end at zero', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 15n }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.constantFrom<Currency>('USD', 'EUR', 'SAT'),
        (minor, bp, currency) => {
          const gross = Money.fromMinorUnits(minor, currency);
          const p = scheduled(gross, bp);
          const { fee, net } = p.state;
          expect(fee.add(net)).toEqual(gross);
          expect(fee).toEqual(platformFee(gross, bp));
          const postings = [...p.unsavedPostings()];
          p.markPersisted();
          p.pay('posting-pay', PAID_AT);
          p.pay('posting-pay-again', PAID_AT);
          postings.push(...p.unsavedPostings());
          expect(p.unsavedPostings().length).toBe(net.isZero() ? 0 : 1);
          const balances = new Map<string, bigint>();
          for (const posting of postings) {
            expect(posting.currency).toBe(currency);
            expect(sum(posting)).toBe(0n);
            expect(posting.entries.length).toBeGreaterThanOrEqual(2);
            expect(posting.entries.every((e) => e.amount !== 0n)).toBe(true);
            expect(() => assertBalanced(posting)).not.toThrow();
            for (const e of posting.entries) balances.set(e.accountId, (balances.get(e.accountId) ?? 0n) + e.amount);
          }
          expect(balances.get(cardPaymentsAccount(currency)) ?? 0n).toBe(-minor);
          expect(balances.get(feesAccount(currency)) ?? 0n).toBe(fee.minorUnits);
          expect(balances.get(payoutsAccount(currency)) ?? 0n).toBe(net.minorUnits);
          expect(balances.get(earningsAccount(currency, SELLER)) ?? 0n).toBe(0n);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
