/**
 * The service (e-voucher) transaction's state machine (ServiceTransaction, src/fulfilment/service.ts):
 *
 *     issued ──redeem (buyer, before expiry)──────────► redeemed
 *        ├────cancel (buyer, within the cancel window)► cancelled
 *        └────validity ends unused (timer)────────────► expired    90% back to the buyer (expiredVoucherRefund)
 *
 * - issue() records VoucherIssued with the parties; the code is kept on the transaction and
 *   never appears in an event (docs/design.md, property 12).
 * - Only the buyer may redeem or cancel (403 Forbidden for the seller or anyone else, in every
 *   status, in or out of time).
 * - Redeeming twice is a 409 (Conflict), not a no-op: a voucher is used once. Redeeming at or
 *   after the end of its validity is a 409 too.
 * - Cancelling again is a no-op; cancelling a redeemed or expired voucher is a 409; cancelling
 *   at or after the end of the cancel window is a 422 (BusinessRuleViolation).
 * - expire() expires an issued voucher and leaves any other as it is, answering the status.
 * - A voucher issued by the saga older than voucher expiry (`startedBeforeOrders`) cannot be
 *   cancelled (409 for the buyer, in every status and time; 403 still for anyone else first):
 *   nothing would refund it. It is redeemed as any other.
 * - Every event carries who moved the voucher (`actor`).
 * - Nothing refused records an event or changes the state.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  expiredVoucherRefund,
  ServiceTransaction,
  type Parties,
  type ServiceStatus,
  type VoucherTerms,
} from '../../src/fulfilment/domain.ts';
import { BusinessRuleViolation, Conflict, Forbidden } from '../../src/kernel/errors.ts';
import { Money, type Currency } from '../../src/kernel/money.ts';
import { expectNoChange as expectNoChangeOf, expectRefusedUnchanged, type DomainErrorClass } from '../support/aggregate-expectations.ts';

const SERVICE_ID = 'service-1';
const BUYER = 'buyer-1';
const SELLER = 'seller-1';
const STRANGER = 'someone-else';
const TITLE = 'A spa day';
const CODE = 'VOUCHER-SECRET-7Q2K';
const PARTIES: Parties = { auctionId: 'auction-1', buyerId: BUYER, sellerId: SELLER, paymentId: 'payment-1', title: TITLE };
const TOLD = { buyerId: BUYER, sellerId: SELLER, title: TITLE };
const ALL_STATUSES: ServiceStatus[] = ['issued', 'redeemed', 'cancelled', 'expired'];
const DAY = 86_400_000;
const TERMS: VoucherTerms = { validityMs: 90 * DAY, cancelWindowMs: 7 * DAY };
const ISSUED_AT = new Date('2025-03-01T10:00:00.000Z');
const after = (ms: number) => new Date(ISSUED_AT.getTime() + ms);
/** A moment within both the cancel window and the validity. */
const SOON = after(3_600_000);
const WHO = { buyer: BUYER, seller: SELLER, stranger: STRANGER } as const;
type Who = keyof typeof WHO;
const EVERYONE = Object.keys(WHO) as Who[];

function issued(): ServiceTransaction {
  return ServiceTransaction.issue(SERVICE_ID, PARTIES, CODE, ISSUED_AT);
}

/** A voucher brought to `status` through its own commands, its events persisted. */
function serviceIn(status: ServiceStatus): ServiceTransaction {
  const s = issued();
  if (status === 'redeemed') s.redeem(BUYER, SOON, TERMS);
  if (status === 'cancelled') s.cancel(BUYER, SOON, TERMS);
  if (status === 'expired') s.expire();
  expect(s.state.status).toBe(status);
  s.markPersisted();
  return s;
}

function snapshot(s: ServiceTransaction) {
  return { ...s.state, version: s.version };
}

const expectNoChange = (s: ServiceTransaction, act: () => unknown) => expectNoChangeOf(s, snapshot, act);

const expectRefused = (s: ServiceTransaction, act: () => unknown, error: DomainErrorClass) =>
  expectRefusedUnchanged(s, snapshot, act, error);

describe('ServiceTransaction.issue and restore', () => {
  it('issues the voucher with its code and time, recording VoucherIssued (by the platform) with the parties as version 1', () => {
    const s = issued();
    expect(s.id).toBe(SERVICE_ID);
    expect(s.version).toBe(1);
    expect(s.loadedVersion).toBe(0);
    expect(s.state).toEqual({ ...PARTIES, code: CODE, status: 'issued', issuedAt: ISSUED_AT, startedBeforeOrders: false });
    expect(s.pendingEvents).toEqual([{ type: 'VoucherIssued', ...PARTIES, actor: 'platform' }]);
  });

  it.each(['redeem', 'cancel', 'expire'] as const)('never puts the code in an event, issued and after %s', (action) => {
    const s = issued();
    if (action === 'redeem') s.redeem(BUYER, SOON, TERMS);
    if (action === 'cancel') s.cancel(BUYER, SOON, TERMS);
    if (action === 'expire') s.expire();
    expect(s.pendingEvents).toHaveLength(2);
    expect(JSON.stringify(s.pendingEvents)).not.toContain(CODE);
    expect(s.state.code).toBe(CODE);
  });

  it('restores at the stored version without recording, and continues from it', () => {
    const s = ServiceTransaction.restore(SERVICE_ID, 4, { ...serviceIn('issued').state });
    expect(s.version).toBe(4);
    expect(s.pendingEvents).toEqual([]);
    s.redeem(BUYER, SOON, TERMS);
    expect(s.version).toBe(5);
    expect(s.loadedVersion).toBe(4);
  });
});

describe('ServiceTransaction.redeem', () => {
  it('lets the buyer redeem an issued voucher: redeemed, VoucherRedeemed by the buyer, without the code', () => {
    const s = serviceIn('issued');
    s.redeem(BUYER, SOON, TERMS);
    expect(s.state.status).toBe('redeemed');
    expect(s.state.code).toBe(CODE);
    expect(s.pendingEvents).toEqual([{ type: 'VoucherRedeemed', actor: 'buyer', ...TOLD }]);
    expect(s.version).toBe(2);
  });

  it('refuses a second redemption by the buyer (409): a voucher is used once', () => {
    const s = serviceIn('redeemed');
    expectRefused(s, () => s.redeem(BUYER, SOON, TERMS), Conflict);
    expect(s.state.status).toBe('redeemed');
  });

  /** What redeem does, by who asks, in each status (in time). */
  const TABLE: Record<ServiceStatus, Record<Who, 'redeems' | 'forbidden' | 'conflict'>> = {
    issued: { buyer: 'redeems', seller: 'forbidden', stranger: 'forbidden' },
    redeemed: { buyer: 'conflict', seller: 'forbidden', stranger: 'forbidden' },
    cancelled: { buyer: 'conflict', seller: 'forbidden', stranger: 'forbidden' },
    expired: { buyer: 'conflict', seller: 'forbidden', stranger: 'forbidden' },
  };

  describe.each(ALL_STATUSES)('on a %s voucher', (status) => {
    it.each(EVERYONE)('redeem by the %s', (who) => {
      const s = serviceIn(status);
      const expected = TABLE[status][who];
      if (expected === 'forbidden') expectRefused(s, () => s.redeem(WHO[who], SOON, TERMS), Forbidden);
      else if (expected === 'conflict') expectRefused(s, () => s.redeem(WHO[who], SOON, TERMS), Conflict);
      else {
        s.redeem(WHO[who], SOON, TERMS);
        expect(s.state.status).toBe('redeemed');
        expect(s.pendingEvents.map((e) => e.type)).toEqual(['VoucherRedeemed']);
      }
    });

    it.each(['seller', 'stranger'] as const)('refuses the %s after the validity too (403, not 409)', (who) => {
      const s = serviceIn(status);
      expectRefused(s, () => s.redeem(WHO[who], after(TERMS.validityMs + DAY), TERMS), Forbidden);
    });
  });

  it.each([
    ['at the moment of issue', 0, 'redeems'],
    ['after the cancel window', TERMS.cancelWindowMs + DAY, 'redeems'],
    ['a millisecond before the validity ends', TERMS.validityMs - 1, 'redeems'],
    ['exactly when the validity ends', TERMS.validityMs, 'conflict'],
    ['after the validity', TERMS.validityMs + 1, 'conflict'],
    ['long after the validity', 10 * TERMS.validityMs, 'conflict'],
  ] as const)('by the buyer %s: %s', (_, offset, expected) => {
    const s = serviceIn('issued');
    if (expected === 'conflict') {
      const error = expectRefused(s, () => s.redeem(BUYER, after(offset), TERMS), Conflict);
      expect(error.message).toMatch(/expired/);
      return;
    }
    s.redeem(BUYER, after(offset), TERMS);
    expect(s.state.status).toBe('redeemed');
  });
});

describe('ServiceTransaction.cancel', () => {
  it('lets the buyer cancel an issued voucher within the window: cancelled, VoucherCancelled by the buyer', () => {
    const s = serviceIn('issued');
    s.cancel(BUYER, SOON, TERMS);
    expect(s.state.status).toBe('cancelled');
    expect(s.pendingEvents).toEqual([{ type: 'VoucherCancelled', actor: 'buyer', ...TOLD }]);
    expect(s.version).toBe(2);
  });

  /** What cancel does, by who asks, in each status (within the window). */
  const TABLE: Record<ServiceStatus, Record<Who, 'cancels' | 'no-op' | 'forbidden' | 'conflict'>> = {
    issued: { buyer: 'cancels', seller: 'forbidden', stranger: 'forbidden' },
    redeemed: { buyer: 'conflict', seller: 'forbidden', stranger: 'forbidden' },
    cancelled: { buyer: 'no-op', seller: 'forbidden', stranger: 'forbidden' },
    expired: { buyer: 'conflict', seller: 'forbidden', stranger: 'forbidden' },
  };

  describe.each(ALL_STATUSES)('on a %s voucher', (status) => {
    it.each(EVERYONE)('cancel by the %s', (who) => {
      const s = serviceIn(status);
      const expected = TABLE[status][who];
      if (expected === 'forbidden') expectRefused(s, () => s.cancel(WHO[who], SOON, TERMS), Forbidden);
      else if (expected === 'conflict') expectRefused(s, () => s.cancel(WHO[who], SOON, TERMS), Conflict);
      else if (expected === 'no-op') expectNoChange(s, () => s.cancel(WHO[who], SOON, TERMS));
      else {
        s.cancel(WHO[who], SOON, TERMS);
        expect(s.state.status).toBe('cancelled');
        expect(s.pendingEvents.map((e) => e.type)).toEqual(['VoucherCancelled']);
        s.markPersisted();
        // A retried request succeeds once.
        expectNoChange(s, () => s.cancel(WHO[who], SOON, TERMS));
      }
    });

    it.each(['seller', 'stranger'] as const)('refuses the %s after the window too (403, not 422)', (who) => {
      const s = serviceIn(status);
      expectRefused(s, () => s.cancel(WHO[who], after(TERMS.cancelWindowMs + DAY), TERMS), Forbidden);
    });
  });

  it.each([
    ['at the moment of issue', 0, 'cancels'],
    ['a millisecond before the window ends', TERMS.cancelWindowMs - 1, 'cancels'],
    ['exactly when the window ends', TERMS.cancelWindowMs, 'too late'],
    ['after the window', TERMS.cancelWindowMs + 1, 'too late'],
    ['after the validity', TERMS.validityMs + 1, 'too late'],
  ] as const)('by the buyer %s: %s', (_, offset, expected) => {
    const s = serviceIn('issued');
    if (expected === 'too late') {
      const error = expectRefused(s, () => s.cancel(BUYER, after(offset), TERMS), BusinessRuleViolation);
      expect(error.message).toMatch(/cancel window/);
      return;
    }
    s.cancel(BUYER, after(offset), TERMS);
    expect(s.state.status).toBe('cancelled');
  });

  it('answers a repeat after the window as the no-op it is, and a cancel of a redeemed voucher after the window as 409', () => {
    const cancelled = serviceIn('cancelled');
    expectNoChange(cancelled, () => cancelled.cancel(BUYER, after(TERMS.cancelWindowMs + DAY), TERMS));
    const redeemed = serviceIn('redeemed');
    expectRefused(redeemed, () => redeemed.cancel(BUYER, after(TERMS.cancelWindowMs + DAY), TERMS), Conflict);
  });
});

describe('a voucher issued before orders (startedBeforeOrders)', () => {
  /** The voucher in `status`, as the old saga's row would be restored: the same state, flagged. */
  function oldVoucherIn(status: ServiceStatus): ServiceTransaction {
    const s = serviceIn(status);
    return ServiceTransaction.restore(SERVICE_ID, s.version, { ...s.state, startedBeforeOrders: true });
  }

  describe.each(ALL_STATUSES)('on a %s voucher', (status) => {
    it.each([
      ['within the window', SOON],
      ['after the window', after(TERMS.cancelWindowMs + DAY)],
    ] as const)('cancel by the buyer %s: 409, even where it would be a no-op or a 422', (_, when) => {
      const s = oldVoucherIn(status);
      const error = expectRefused(s, () => s.cancel(BUYER, when, TERMS), Conflict);
      expect(error.message).toMatch(/issued before vouchers could be cancelled/);
    });

    it.each(['seller', 'stranger'] as const)('cancel by the %s: still forbidden (403), not 409', (who) => {
      const s = oldVoucherIn(status);
      expectRefused(s, () => s.cancel(WHO[who], SOON, TERMS), Forbidden);
    });
  });

  it('is redeemed by the buyer as any voucher is, and by no one else', () => {
    const s = oldVoucherIn('issued');
    expectRefused(s, () => s.redeem(SELLER, SOON, TERMS), Forbidden);
    expectRefused(s, () => s.redeem(STRANGER, SOON, TERMS), Forbidden);
    s.redeem(BUYER, SOON, TERMS);
    expect(s.state).toMatchObject({ status: 'redeemed', startedBeforeOrders: true });
    expect(s.pendingEvents).toEqual([{ type: 'VoucherRedeemed', actor: 'buyer', ...TOLD }]);
    s.markPersisted();
    expectRefused(s, () => s.redeem(BUYER, SOON, TERMS), Conflict);
  });

  it('keeps the redemption’s time rules: not after its validity (409)', () => {
    const s = oldVoucherIn('issued');
    expectRefused(s, () => s.redeem(BUYER, after(TERMS.validityMs), TERMS), Conflict);
  });
});

describe('ServiceTransaction.expire', () => {
  it('expires an issued voucher: VoucherExpired by the timer, answering expired; again is a no-op', () => {
    const s = serviceIn('issued');
    expect(s.expire()).toBe('expired');
    expect(s.state.status).toBe('expired');
    expect(s.pendingEvents).toEqual([{ type: 'VoucherExpired', actor: 'timer', ...TOLD }]);
    expect(s.version).toBe(2);
    s.markPersisted();
    expectNoChange(s, () => expect(s.expire()).toBe('expired'));
  });

  it.each(['redeemed', 'cancelled', 'expired'] as const)('leaves a %s voucher as it is and answers its status', (status) => {
    const s = serviceIn(status);
    expectNoChange(s, () => expect(s.expire()).toBe(status));
  });

  it('lets no one redeem or cancel an expired voucher, even within the times', () => {
    const s = serviceIn('expired');
    expectRefused(s, () => s.redeem(BUYER, SOON, TERMS), Conflict);
    expectRefused(s, () => s.cancel(BUYER, SOON, TERMS), Conflict);
  });
});

describe('expiredVoucherRefund (90% of the price, rounded half up)', () => {
  const money = (amount: string, currency: Currency = 'USD') => Money.of(amount, currency);

  it.each([
    ['25.00', 'USD', '22.50'],
    ['0.05', 'USD', '0.05'], // 4.5 cents → 5
    ['0.01', 'USD', '0.01'], // 0.9 cents → 1
    ['0.00', 'USD', '0.00'],
    ['0.15', 'USD', '0.14'], // 13.5 → 14
    ['0.14', 'USD', '0.13'], // 12.6 → 13
    ['0.16', 'USD', '0.14'], // 14.4 → 14
    ['0.11', 'USD', '0.10'], // 9.9 → 10
    ['0.10', 'USD', '0.09'],
    ['99.99', 'USD', '89.99'], // 8999.1 → 8999
    ['99.95', 'EUR', '89.96'], // 8995.5 → 8996
    ['100', 'SAT', '90'],
    ['5', 'SAT', '5'], // 4.5 → 5
    ['1', 'SAT', '1'],
    ['15', 'SAT', '14'], // 13.5 → 14
  ] as const)('%s %s → %s', (price, currency, refund) => {
    expect(expiredVoucherRefund(money(price, currency))).toEqual(money(refund, currency));
  });

  it('always gives back 90% rounded half up, never more than the price, in the price’s currency', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 15n }), fc.constantFrom<Currency>('USD', 'EUR', 'SAT'), (minor, currency) => {
        const refund = expiredVoucherRefund(Money.fromMinorUnits(minor, currency));
        expect(refund.currency).toBe(currency);
        // 10 × refund is within half a minor unit of 9 × price, a tie rounding up.
        const error = 10n * refund.minorUnits - 9n * minor;
        expect(error > -5n && error <= 5n).toBe(true);
        expect(refund.minorUnits <= minor).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
