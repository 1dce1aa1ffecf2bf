/**
 * The satoshi Account aggregate (src/accounting/domain.ts) and the state machine of its
 * reservations, keyed by withdrawal:
 *
 *     (none) ──reserve, fits──► held ──settle──► settled
 *        │                        └───release──► released
 *        └──reserve, too much──► refused
 *
 * - open() records AccountOpened; deposit() credits SAT only, more than zero (400), with a
 *   balanced deposit posting from external:lightning.
 * - reserve() holds funds only if that much is available; a refusal is recorded too
 *   (FundsReservationRefused) and holds nothing. A repeat with the same amount answers the
 *   first answer and records nothing; with another amount it is a 409.
 * - settle() pays out a held reservation (balance and reserved drop, a withdrawal posting),
 *   a repeat is a no-op, settling a released, refused or unknown one is a 409.
 * - release() gives held funds back; anything else answers { released: false }, a no-op.
 * - available = balance - reserved never goes below zero, and a refusal changes nothing.
 */
import { describe, expect, it } from 'vitest';
import {
  Account,
  InsufficientFunds,
  LIGHTNING_ACCOUNT,
  transfer,
  type AccountEvent,
  type ReservationStatus,
} from '../../src/accounting/domain.ts';
import { Conflict, Forbidden, InvalidInput } from '../../src/kernel/errors.ts';
import { Money } from '../../src/kernel/money.ts';
import { expectNoChange as expectNoChangeOf, expectRefusedUnchanged, type DomainErrorClass } from '../support/aggregate-expectations.ts';

const sat = (n: number | bigint) => Money.fromMinorUnits(BigInt(n), 'SAT');
const satJson = (n: number) => ({ amount: String(n), currency: 'SAT' as const });
const OWNER = 'customer-1';
const WITHDRAWAL = 'withdrawal-1';
const DEPOSITED = 1000;
const HELD = 600;
/** More than the 1000 deposited: refused. */
const TOO_MUCH = 1500;
const ALL_RESERVATION_STATUSES: ReservationStatus[] = ['held', 'settled', 'released', 'refused'];

/** An account with 1000 SAT deposited, its events and postings persisted. */
function funded(): Account {
  const account = Account.open(OWNER);
  account.deposit('deposit-1', sat(DEPOSITED));
  account.markPersisted();
  return account;
}

/** A funded account whose reservation WITHDRAWAL was brought to `status` by its own commands, persisted. */
function accountWithReservation(status: ReservationStatus): Account {
  const account = funded();
  account.reserve(WITHDRAWAL, sat(status === 'refused' ? TOO_MUCH : HELD));
  if (status === 'settled') account.settle(WITHDRAWAL, 'posting-w-1');
  if (status === 'released') account.release(WITHDRAWAL);
  expect(account.reservation(WITHDRAWAL)?.status).toBe(status);
  account.markPersisted();
  return account;
}

/** Everything observable of an account, as plain values. */
function snapshot(account: Account) {
  const { newReservations, changedReservations, postings } = account.unsavedChanges();
  const r = account.reservation(WITHDRAWAL);
  return {
    version: account.version,
    ownerId: account.state.ownerId,
    balance: account.state.balance.toString(),
    reserved: account.state.reserved.toString(),
    available: account.available.toString(),
    reservation: r ? { status: r.status, amount: r.amount.toString() } : undefined,
    newReservations: newReservations.map((x) => x.id),
    changedReservations: changedReservations.map((x) => x.id),
    postings: postings.map((p) => p.id),
  };
}

const expectNoChange = (account: Account, act: () => unknown) => expectNoChangeOf(account, snapshot, act);

const expectRefused = (account: Account, act: () => unknown, error: DomainErrorClass) =>
  expectRefusedUnchanged(account, snapshot, act, error);

function expectRecorded(account: Account, act: () => unknown, events: AccountEvent[]): void {
  const before = account.version;
  act();
  expect(account.pendingEvents).toEqual(events);
  expect(account.version).toBe(before + events.length);
}

function expectMoney(account: Account, expected: { balance: number; reserved: number; available: number }): void {
  expect({
    balance: account.state.balance.minorUnits,
    reserved: account.state.reserved.minorUnits,
    available: account.available.minorUnits,
  }).toEqual({ balance: BigInt(expected.balance), reserved: BigInt(expected.reserved), available: BigInt(expected.available) });
}

describe('Account.open and restore', () => {
  it("opens an empty SAT account under its owner's id, recording AccountOpened as version 1", () => {
    const account = Account.open(OWNER);
    expect(account.id).toBe(OWNER);
    expect(account.version).toBe(1);
    expect(account.loadedVersion).toBe(0);
    expect(account.pendingEvents).toEqual([{ type: 'AccountOpened', ownerId: OWNER, currency: 'SAT' }]);
    expectMoney(account, { balance: 0, reserved: 0, available: 0 });
    expect(account.unsavedChanges()).toEqual({ newReservations: [], changedReservations: [], postings: [] });
  });

  it('restores at the stored version with the reservations it was given, recording nothing', () => {
    const account = Account.restore(OWNER, 8, { ownerId: OWNER, balance: sat(1000), reserved: sat(600) }, [
      { id: WITHDRAWAL, amount: sat(600), status: 'held' },
    ]);
    expect(account.version).toBe(8);
    expect(account.pendingEvents).toEqual([]);
    expectMoney(account, { balance: 1000, reserved: 600, available: 400 });
    expect(account.reservation(WITHDRAWAL)).toMatchObject({ status: 'held' });
    expect(account.reservation('another')).toBeUndefined();
    expect(account.unsavedChanges()).toEqual({ newReservations: [], changedReservations: [], postings: [] });
  });
});

describe('Account.deposit', () => {
  it('credits the account: FundsDeposited with the new balance, and a balanced deposit posting from lightning', () => {
    const account = Account.open(OWNER);
    account.markPersisted();
    expectRecorded(account, () => account.deposit('deposit-1', sat(250)), [
      { type: 'FundsDeposited', ownerId: OWNER, postingId: 'deposit-1', amount: satJson(250), balance: satJson(250) },
    ]);
    expectMoney(account, { balance: 250, reserved: 0, available: 250 });
    expect(account.unsavedChanges().postings).toEqual([
      {
        id: 'deposit-1',
        kind: 'deposit',
        reference: 'deposit-1',
        entries: [
          { accountId: LIGHTNING_ACCOUNT, amount: -250n },
          { accountId: OWNER, amount: 250n },
        ],
      },
    ]);
  });

  it('adds up deposits, each event carrying the running balance', () => {
    const account = funded();
    expectRecorded(account, () => account.deposit('deposit-2', sat(1)), [
      { type: 'FundsDeposited', ownerId: OWNER, postingId: 'deposit-2', amount: satJson(1), balance: satJson(1001) },
    ]);
    expectMoney(account, { balance: 1001, reserved: 0, available: 1001 });
  });

  it('is not idempotent by itself: the same posting id credits again (the use case looks the posting up first)', () => {
    const account = funded();
    account.deposit('deposit-1', sat(DEPOSITED));
    expect(account.state.balance.minorUnits).toBe(2000n);
    expect(account.unsavedChanges().postings.map((p) => p.id)).toEqual(['deposit-1']);
  });

  it('refuses a zero deposit (400, naming amount.amount)', () => {
    const account = funded();
    const error = expectRefused(account, () => account.deposit('deposit-2', sat(0)), InvalidInput);
    expect((error as InvalidInput).errors).toEqual([{ path: 'amount.amount', message: 'must be more than zero' }]);
  });

  it.each(['USD', 'EUR'] as const)('refuses %s (400, naming amount.currency)', (currency) => {
    const account = funded();
    const error = expectRefused(account, () => account.deposit('deposit-2', Money.of('1.00', currency)), InvalidInput);
    expect((error as InvalidInput).errors).toEqual([{ path: 'amount.currency', message: 'must be SAT' }]);
  });
});

describe('Account.reserve', () => {
  it('holds what is available: FundsReserved with what remains available', () => {
    const account = funded();
    let answer: { reserved: boolean } | undefined;
    expectRecorded(account, () => (answer = account.reserve(WITHDRAWAL, sat(HELD))), [
      { type: 'FundsReserved', ownerId: OWNER, reservationId: WITHDRAWAL, amount: satJson(HELD), available: satJson(400) },
    ]);
    expect(answer).toEqual({ reserved: true });
    expectMoney(account, { balance: 1000, reserved: 600, available: 400 });
    expect(account.reservation(WITHDRAWAL)).toMatchObject({ id: WITHDRAWAL, status: 'held' });
    expect(account.unsavedChanges().newReservations.map((r) => r.id)).toEqual([WITHDRAWAL]);
    expect(account.unsavedChanges().postings).toEqual([]); // nothing moves on the ledger yet
  });

  it('holds exactly everything available, leaving zero', () => {
    const account = funded();
    expect(account.reserve(WITHDRAWAL, sat(DEPOSITED))).toEqual({ reserved: true });
    expectMoney(account, { balance: 1000, reserved: 1000, available: 0 });
  });

  it('refuses one satoshi more than is available: FundsReservationRefused, nothing held, the refusal remembered', () => {
    const account = funded();
    account.reserve('withdrawal-0', sat(HELD));
    account.markPersisted();
    let answer: { reserved: boolean } | undefined;
    expectRecorded(account, () => (answer = account.reserve(WITHDRAWAL, sat(401))), [
      { type: 'FundsReservationRefused', ownerId: OWNER, reservationId: WITHDRAWAL, amount: satJson(401), available: satJson(400) },
    ]);
    expect(answer).toEqual({ reserved: false });
    expectMoney(account, { balance: 1000, reserved: 600, available: 400 });
    expect(account.reservation(WITHDRAWAL)).toMatchObject({ status: 'refused' });
    expect(account.unsavedChanges().newReservations.map((r) => r.id)).toEqual([WITHDRAWAL]);
  });

  it('answers a repeat with the first answer even when the funds changed since', () => {
    const refused = accountWithReservation('refused');
    refused.deposit('deposit-2', sat(5000));
    refused.markPersisted();
    expectNoChange(refused, () => expect(refused.reserve(WITHDRAWAL, sat(TOO_MUCH))).toEqual({ reserved: false }));
  });

  it('refuses zero (400)', () => {
    const account = funded();
    expectRefused(account, () => account.reserve(WITHDRAWAL, sat(0)), InvalidInput);
    expect(account.reservation(WITHDRAWAL)).toBeUndefined();
  });

  it('refuses another currency than SAT (400), even for a known reservation', () => {
    const fresh = funded();
    expectRefused(fresh, () => fresh.reserve(WITHDRAWAL, Money.of('6.00', 'USD')), InvalidInput);
    const held = accountWithReservation('held');
    expectRefused(held, () => held.reserve(WITHDRAWAL, Money.of('6.00', 'USD')), InvalidInput);
  });
});

describe('Account.settle', () => {
  it('pays out a held reservation: ReservationSettled, balance and reserved drop, a withdrawal posting to lightning', () => {
    const account = accountWithReservation('held');
    expectRecorded(account, () => account.settle(WITHDRAWAL, 'posting-w-1'), [
      {
        type: 'ReservationSettled',
        ownerId: OWNER,
        reservationId: WITHDRAWAL,
        postingId: 'posting-w-1',
        amount: satJson(HELD),
        balance: satJson(400),
      },
    ]);
    expectMoney(account, { balance: 400, reserved: 0, available: 400 });
    expect(account.reservation(WITHDRAWAL)?.status).toBe('settled');
    const { postings, changedReservations, newReservations } = account.unsavedChanges();
    expect(postings).toEqual([
      {
        id: 'posting-w-1',
        kind: 'withdrawal',
        reference: WITHDRAWAL,
        entries: [
          { accountId: OWNER, amount: -600n },
          { accountId: LIGHTNING_ACCOUNT, amount: 600n },
        ],
      },
    ]);
    expect(changedReservations.map((r) => r.id)).toEqual([WITHDRAWAL]);
    expect(newReservations).toEqual([]);
  });

  it('changes nothing when repeated, even with another posting id', () => {
    const account = accountWithReservation('settled');
    expectNoChange(account, () => account.settle(WITHDRAWAL, 'posting-w-1'));
    expectNoChange(account, () => account.settle(WITHDRAWAL, 'posting-w-2'));
  });

  it('refuses a reservation the account does not hold (409)', () => {
    const account = accountWithReservation('held');
    expectRefused(account, () => account.settle('unknown', 'posting-x'), Conflict);
  });
});

describe('Account.release', () => {
  it('gives held funds back: ReservationReleased with what is available again', () => {
    const account = accountWithReservation('held');
    let answer: { released: boolean } | undefined;
    expectRecorded(account, () => (answer = account.release(WITHDRAWAL)), [
      { type: 'ReservationReleased', ownerId: OWNER, reservationId: WITHDRAWAL, amount: satJson(HELD), available: satJson(1000) },
    ]);
    expect(answer).toEqual({ released: true });
    expectMoney(account, { balance: 1000, reserved: 0, available: 1000 });
    expect(account.reservation(WITHDRAWAL)?.status).toBe('released');
    expect(account.unsavedChanges().changedReservations.map((r) => r.id)).toEqual([WITHDRAWAL]);
    expect(account.unsavedChanges().postings).toEqual([]);
  });

  it('answers released: false for a reservation it does not hold, recording nothing', () => {
    const account = funded();
    expectNoChange(account, () => expect(account.release('unknown')).toEqual({ released: false }));
  });
});

// ---------------------------------------------------------------------------------------
// The whole (reservation status x command) table.

type Command = 'reserveSameAmount' | 'reserveAnotherAmount' | 'settle' | 'release';
const amountOf = (status: ReservationStatus) => (status === 'refused' ? TOO_MUCH : HELD);
const COMMANDS: Record<Command, (account: Account, status: ReservationStatus) => unknown> = {
  reserveSameAmount: (account, status) => account.reserve(WITHDRAWAL, sat(amountOf(status))),
  reserveAnotherAmount: (account, status) => account.reserve(WITHDRAWAL, sat(amountOf(status) - 1)),
  settle: (account) => account.settle(WITHDRAWAL, 'posting-w-2'),
  release: (account) => account.release(WITHDRAWAL),
};

type Outcome =
  | { to: ReservationStatus; event: AccountEvent['type']; answer: unknown; money: { balance: number; reserved: number; available: number } }
  | { noop: unknown }
  | 'conflict';

const TABLE: Record<ReservationStatus, Record<Command, Outcome>> = {
  held: {
    reserveSameAmount: { noop: { reserved: true } },
    reserveAnotherAmount: 'conflict',
    settle: { to: 'settled', event: 'ReservationSettled', answer: undefined, money: { balance: 400, reserved: 0, available: 400 } },
    release: {
      to: 'released',
      event: 'ReservationReleased',
      answer: { released: true },
      money: { balance: 1000, reserved: 0, available: 1000 },
    },
  },
  settled: {
    reserveSameAmount: { noop: { reserved: true } },
    reserveAnotherAmount: 'conflict',
    settle: { noop: undefined },
    release: { noop: { released: false } },
  },
  released: {
    // The first answer stands, though the funds are no longer held.
    reserveSameAmount: { noop: { reserved: true } },
    reserveAnotherAmount: 'conflict',
    settle: 'conflict',
    release: { noop: { released: false } },
  },
  refused: {
    reserveSameAmount: { noop: { reserved: false } },
    reserveAnotherAmount: 'conflict',
    settle: 'conflict',
    release: { noop: { released: false } },
  },
};

describe('Account: every (reservation status x command)', () => {
  describe.each(ALL_RESERVATION_STATUSES)('on a %s reservation', (status) => {
    it.each(Object.keys(COMMANDS) as Command[])('%s', (command) => {
      const account = accountWithReservation(status);
      const expected = TABLE[status][command];
      const act = () => COMMANDS[command](account, status);
      if (expected === 'conflict') {
        expectRefused(account, act, Conflict);
      } else if ('noop' in expected) {
        expectNoChange(account, () => expect(act()).toEqual(expected.noop));
      } else {
        const before = account.version;
        expect(act()).toEqual(expected.answer);
        expect(account.reservation(WITHDRAWAL)?.status).toBe(expected.to);
        expect(account.pendingEvents.map((e) => e.type)).toEqual([expected.event]);
        expect(account.version).toBe(before + 1);
        expectMoney(account, expected.money);
        account.markPersisted();
        expectNoChange(account, act); // and once more: a repeat
      }
    });
  });
});

describe('Account: what the repository is handed', () => {
  it('lists a reservation made and changed in the same unit of work as new only, and forgets everything once persisted', () => {
    const account = funded();
    account.reserve(WITHDRAWAL, sat(HELD));
    account.settle(WITHDRAWAL, 'posting-w-1');
    account.deposit('deposit-2', sat(5));
    const changes = account.unsavedChanges();
    expect(changes.newReservations.map((r) => [r.id, r.status])).toEqual([[WITHDRAWAL, 'settled']]);
    expect(changes.changedReservations).toEqual([]);
    expect(changes.postings.map((p) => p.id)).toEqual(['posting-w-1', 'deposit-2']);
    account.markPersisted();
    expect(account.unsavedChanges()).toEqual({ newReservations: [], changedReservations: [], postings: [] });
    expect(account.pendingEvents).toEqual([]);
  });

  it('lists a restored reservation that changed as changed, not new', () => {
    const account = Account.restore(OWNER, 3, { ownerId: OWNER, balance: sat(1000), reserved: sat(600) }, [
      { id: WITHDRAWAL, amount: sat(600), status: 'held' },
    ]);
    account.release(WITHDRAWAL);
    expect(account.unsavedChanges().newReservations).toEqual([]);
    expect(account.unsavedChanges().changedReservations.map((r) => [r.id, r.status])).toEqual([[WITHDRAWAL, 'released']]);
  });
});

/**
 * BUG: deposit() pushes its posting before it adds to the balance, so a deposit refused
 * because the balance would overflow Postgres's bigint leaves its posting in
 * unsavedChanges(). Harmless in practice (the unit of work rolls back on the error, and
 * 2^63 satoshis is far beyond the bitcoin supply), but it breaks "a refusal changes nothing".
 */
describe('Account: a refused deposit leaves nothing behind', () => {
  it('refuses a deposit that would overflow the balance (400) without keeping its posting', () => {
    const max = 2n ** 63n - 1n;
    const account = Account.restore(OWNER, 1, { ownerId: OWNER, balance: sat(max), reserved: sat(0) });
    expectRefused(account, () => account.deposit('deposit-2', sat(1)), InvalidInput);
  });
});

describe('Account.apply (its side of a transfer, a donation or a refund)', () => {
  const posting = (from: string, to: string, n: number) =>
    transfer({ id: 'posting-t-1', kind: 'transfer', reference: 'posting-t-1', from, to, amount: sat(n) });

  it("debits what is available and records FundsDebited; the posting itself is the caller's to write", () => {
    const account = funded();
    expectRecorded(account, () => account.apply(posting(OWNER, 'someone', 400)), [
      { type: 'FundsDebited', ownerId: OWNER, postingId: 'posting-t-1', kind: 'transfer', amount: satJson(400), balance: satJson(600) },
    ]);
    expectMoney(account, { balance: 600, reserved: 0, available: 600 });
    expect(account.unsavedChanges().postings).toEqual([]);
  });

  it('credits and records FundsCredited', () => {
    const account = funded();
    expectRecorded(account, () => account.apply(posting('someone', OWNER, 5)), [
      { type: 'FundsCredited', ownerId: OWNER, postingId: 'posting-t-1', kind: 'transfer', amount: satJson(5), balance: satJson(1005) },
    ]);
  });

  it('refuses a debit beyond available (reserved funds included) with InsufficientFunds, changing nothing', () => {
    const account = accountWithReservation('held'); // 1000 balance, 600 held: 400 available
    expectRefused(account, () => account.apply(posting(OWNER, 'someone', 401)), InsufficientFunds);
    account.apply(posting(OWNER, 'someone', 400));
    expectMoney(account, { balance: 600, reserved: 600, available: 0 });
  });

  it('refuses a posting that does not touch it, changing nothing', () => {
    const account = funded();
    expectRefused(account, () => account.apply(posting('someone', 'someone-else', 1)), Conflict);
  });
});

describe('system account ids', () => {
  it("are never opened as a customer's account", () => {
    expect(() => Account.open('escrow:campaign:1')).toThrow(Forbidden);
    expect(() => Account.open(LIGHTNING_ACCOUNT)).toThrow(Forbidden);
  });
});
