/**
 * The service (e-voucher) transaction's state machine (ServiceTransaction, src/fulfilment/domain.ts):
 *
 *     issued ──redeem(buyer)──► redeemed
 *
 * - issue() records VoucherIssued with the parties; the code is kept on the transaction and
 *   never appears in an event (docs/design.md, property 12).
 * - Only the buyer may redeem (403 Forbidden for the seller or anyone else, in every status);
 *   redeeming twice is a 409 (Conflict), not a no-op: a voucher is used once.
 * - A refused redeem records no event and changes no state.
 */
import { describe, expect, it } from 'vitest';
import { ServiceTransaction, type Parties, type ServiceStatus } from '../../src/fulfilment/domain.ts';
import { Conflict, Forbidden } from '../../src/kernel/errors.ts';
import { expectRefusedUnchanged, type DomainErrorClass } from '../support/aggregate-expectations.ts';

const SERVICE_ID = 'service-1';
const BUYER = 'buyer-1';
const SELLER = 'seller-1';
const STRANGER = 'someone-else';
const TITLE = 'A spa day';
const CODE = 'VOUCHER-SECRET-7Q2K';
const PARTIES: Parties = { auctionId: 'auction-1', buyerId: BUYER, sellerId: SELLER, paymentId: 'payment-1', title: TITLE };
const ALL_STATUSES: ServiceStatus[] = ['issued', 'redeemed'];

function issued(): ServiceTransaction {
  return ServiceTransaction.issue(SERVICE_ID, PARTIES, CODE);
}

/** A voucher brought to `status` through its own commands, its events persisted. */
function serviceIn(status: ServiceStatus): ServiceTransaction {
  const s = issued();
  if (status === 'redeemed') s.redeem(BUYER);
  expect(s.state.status).toBe(status);
  s.markPersisted();
  return s;
}

function snapshot(s: ServiceTransaction) {
  return { ...s.state, version: s.version };
}

const expectRefused = (s: ServiceTransaction, act: () => unknown, error: DomainErrorClass) =>
  expectRefusedUnchanged(s, snapshot, act, error);

describe('ServiceTransaction.issue and restore', () => {
  it('issues the voucher with its code, recording VoucherIssued with the parties as version 1', () => {
    const s = issued();
    expect(s.id).toBe(SERVICE_ID);
    expect(s.version).toBe(1);
    expect(s.loadedVersion).toBe(0);
    expect(s.state).toEqual({ ...PARTIES, code: CODE, status: 'issued' });
    expect(s.pendingEvents).toEqual([{ type: 'VoucherIssued', ...PARTIES }]);
  });

  it('never puts the code in an event, issued or redeemed', () => {
    const s = issued();
    s.redeem(BUYER);
    expect(s.pendingEvents).toHaveLength(2);
    expect(JSON.stringify(s.pendingEvents)).not.toContain(CODE);
  });

  it('restores at the stored version without recording, and continues from it', () => {
    const s = ServiceTransaction.restore(SERVICE_ID, 4, { ...serviceIn('issued').state });
    expect(s.version).toBe(4);
    expect(s.pendingEvents).toEqual([]);
    s.redeem(BUYER);
    expect(s.version).toBe(5);
    expect(s.loadedVersion).toBe(4);
  });
});

describe('ServiceTransaction.redeem', () => {
  it('lets the buyer redeem an issued voucher: redeemed, VoucherRedeemed without the code', () => {
    const s = serviceIn('issued');
    s.redeem(BUYER);
    expect(s.state.status).toBe('redeemed');
    expect(s.state.code).toBe(CODE);
    expect(s.pendingEvents).toEqual([{ type: 'VoucherRedeemed', buyerId: BUYER, title: TITLE }]);
    expect(s.version).toBe(2);
  });

  it('refuses a second redemption by the buyer (409): a voucher is used once', () => {
    const s = serviceIn('issued');
    s.redeem(BUYER);
    s.markPersisted();
    expectRefused(s, () => s.redeem(BUYER), Conflict);
    expect(s.state.status).toBe('redeemed');
  });

  /** What redeem does, by who asks, in each status. */
  const TABLE: Record<ServiceStatus, Record<'buyer' | 'seller' | 'stranger', 'redeems' | 'forbidden' | 'conflict'>> = {
    issued: { buyer: 'redeems', seller: 'forbidden', stranger: 'forbidden' },
    redeemed: { buyer: 'conflict', seller: 'forbidden', stranger: 'forbidden' },
  };
  const WHO = { buyer: BUYER, seller: SELLER, stranger: STRANGER } as const;

  describe.each(ALL_STATUSES)('on a %s voucher', (status) => {
    it.each(Object.keys(WHO) as (keyof typeof WHO)[])('redeem by the %s', (who) => {
      const s = serviceIn(status);
      const expected = TABLE[status][who];
      if (expected === 'forbidden') expectRefused(s, () => s.redeem(WHO[who]), Forbidden);
      else if (expected === 'conflict') expectRefused(s, () => s.redeem(WHO[who]), Conflict);
      else {
        s.redeem(WHO[who]);
        expect(s.state.status).toBe('redeemed');
        expect(s.pendingEvents.map((e) => e.type)).toEqual(['VoucherRedeemed']);
      }
    });
  });
});
