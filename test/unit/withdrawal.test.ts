import { describe, expect, it } from 'vitest';
import { Withdrawal, type WithdrawalEvent, type WithdrawalStatus } from '../../src/bitcoin/domain.ts';
import { Conflict } from '../../src/kernel/errors.ts';
import { Money, type MoneyJson } from '../../src/kernel/money.ts';

const AMOUNT = Money.of('1500', 'SAT');
const AMOUNT_JSON: MoneyJson = { amount: '1500', currency: 'SAT' };
const CUSTOMER = 'customer-1';
const ACCOUNT = 'account-1';
const PAYMENT_HASH = 'a'.repeat(64);
const EXPIRES = new Date('2030-01-01T00:00:00.000Z');
const ALL_STATUSES: WithdrawalStatus[] = ['pending', 'accepted', 'paid', 'rejected', 'failed'];

function requested(): Withdrawal {
  return Withdrawal.request({
    id: 'withdrawal-1',
    accountId: ACCOUNT,
    customerId: CUSTOMER,
    amount: AMOUNT,
    invoice: 'lnbc15u1invoice',
    paymentHash: PAYMENT_HASH,
    invoiceExpiresAt: EXPIRES,
  });
}

/** A withdrawal brought to `status` through its own transitions, its events persisted. */
function withdrawalIn(status: WithdrawalStatus): Withdrawal {
  const w = requested();
  if (status === 'accepted' || status === 'paid') w.accept();
  if (status === 'paid') w.markPaid();
  if (status === 'rejected') w.reject('too little available');
  if (status === 'failed') {
    w.accept();
    w.markFailed('no route');
  }
  expect(w.state.status).toBe(status);
  w.markPersisted();
  return w;
}

function snapshot(w: Withdrawal) {
  const { amount, invoiceExpiresAt, ...rest } = w.state;
  return { ...rest, amount: amount.toString(), invoiceExpiresAt: invoiceExpiresAt.toISOString(), version: w.version };
}

function expectNoChange(w: Withdrawal, act: () => void): void {
  const before = snapshot(w);
  act();
  expect(snapshot(w)).toEqual(before);
  expect(w.pendingEvents).toEqual([]);
}

function expectConflict(w: Withdrawal, act: () => void): void {
  const before = snapshot(w);
  expect(act).toThrow(Conflict);
  expect(snapshot(w)).toEqual(before);
  expect(w.pendingEvents).toEqual([]);
}

function expectRecorded(w: Withdrawal, act: () => void, event: WithdrawalEvent): void {
  const before = w.version;
  act();
  expect(w.pendingEvents).toEqual([event]);
  expect(w.version).toBe(before + 1);
  w.markPersisted();
}

type Transition = 'accept' | 'reject' | 'markPaid' | 'markFailed';
const run: Record<Transition, (w: Withdrawal) => void> = {
  accept: (w) => w.accept(),
  reject: (w) => w.reject('too little available'),
  markPaid: (w) => w.markPaid(),
  markFailed: (w) => w.markFailed('no route'),
};

/** What each transition does from each status: the new status, `noop`, or `conflict`. */
const TABLE: Record<WithdrawalStatus, Record<Transition, WithdrawalStatus | 'noop' | 'conflict'>> = {
  pending: { accept: 'accepted', reject: 'rejected', markPaid: 'conflict', markFailed: 'failed' },
  accepted: { accept: 'noop', reject: 'conflict', markPaid: 'paid', markFailed: 'failed' },
  paid: { accept: 'noop', reject: 'conflict', markPaid: 'noop', markFailed: 'conflict' },
  rejected: { accept: 'conflict', reject: 'noop', markPaid: 'conflict', markFailed: 'conflict' },
  failed: { accept: 'noop', reject: 'conflict', markPaid: 'conflict', markFailed: 'noop' },
};

describe('Withdrawal', () => {
  it('is requested pending, recording WithdrawalRequested as version 1', () => {
    const w = requested();
    expect(w.version).toBe(1);
    expect(w.loadedVersion).toBe(0);
    expect(w.state).toMatchObject({ status: 'pending', reason: null, accountId: ACCOUNT, customerId: CUSTOMER, paymentHash: PAYMENT_HASH });
    expect(w.pendingEvents).toEqual([
      { type: 'WithdrawalRequested', accountId: ACCOUNT, customerId: CUSTOMER, amount: AMOUNT_JSON, paymentHash: PAYMENT_HASH },
    ]);
  });

  it('restores at the stored version without recording, and continues from it', () => {
    const w = Withdrawal.restore('withdrawal-1', 4, { ...withdrawalIn('pending').state });
    expect(w.version).toBe(4);
    expect(w.pendingEvents).toEqual([]);
    w.accept();
    expect(w.version).toBe(5);
    expect(w.loadedVersion).toBe(4);
  });

  it('accepts a pending withdrawal: WithdrawalAccepted', () => {
    const w = withdrawalIn('pending');
    expectRecorded(w, () => w.accept(), { type: 'WithdrawalAccepted', customerId: CUSTOMER, amount: AMOUNT_JSON });
    expect(w.state.status).toBe('accepted');
  });

  it('rejects a pending withdrawal: WithdrawalRejected with the reason', () => {
    const w = withdrawalIn('pending');
    expectRecorded(w, () => w.reject('too little available'), {
      type: 'WithdrawalRejected',
      customerId: CUSTOMER,
      amount: AMOUNT_JSON,
      reason: 'too little available',
    });
    expect(w.state).toMatchObject({ status: 'rejected', reason: 'too little available' });
  });

  it('marks an accepted withdrawal paid: WithdrawalPaid with the payment hash', () => {
    const w = withdrawalIn('accepted');
    expectRecorded(w, () => w.markPaid(), { type: 'WithdrawalPaid', customerId: CUSTOMER, amount: AMOUNT_JSON, paymentHash: PAYMENT_HASH });
    expect(w.state).toMatchObject({ status: 'paid', reason: null });
  });

  it.each(['pending', 'accepted'] as const)('marks a %s withdrawal failed: WithdrawalFailed with the reason', (status) => {
    const w = withdrawalIn(status);
    expectRecorded(w, () => w.markFailed('no route'), {
      type: 'WithdrawalFailed',
      customerId: CUSTOMER,
      amount: AMOUNT_JSON,
      reason: 'no route',
    });
    expect(w.state).toMatchObject({ status: 'failed', reason: 'no route' });
  });

  it.each(['pending', 'accepted'] as const)('repeats a transition from %s as a no-op', (status) => {
    const accepted = withdrawalIn(status);
    accepted.accept();
    accepted.markPersisted();
    expectNoChange(accepted, () => accepted.accept());

    const failed = withdrawalIn(status);
    failed.markFailed('no route');
    failed.markPersisted();
    expectNoChange(failed, () => failed.markFailed('no route'));
    expectNoChange(failed, () => failed.markFailed('another reason')); // the first reason stays
    expect(failed.state.reason).toBe('no route');
  });

  it('repeats reject and markPaid as no-ops, keeping the first reason', () => {
    const rejected = withdrawalIn('rejected');
    expectNoChange(rejected, () => rejected.reject('another reason'));
    expect(rejected.state.reason).toBe('too little available');
    const paid = withdrawalIn('paid');
    expectNoChange(paid, () => paid.markPaid());
  });

  describe.each(ALL_STATUSES)('from %s', (status) => {
    it.each(Object.keys(run) as Transition[])('%s', (transition) => {
      const w = withdrawalIn(status);
      const expected = TABLE[status][transition];
      if (expected === 'conflict') {
        expectConflict(w, () => run[transition](w));
      } else if (expected === 'noop') {
        expectNoChange(w, () => run[transition](w));
      } else {
        const before = w.version;
        run[transition](w);
        expect(w.state.status).toBe(expected);
        expect(w.pendingEvents).toHaveLength(1);
        expect(w.version).toBe(before + 1);
        w.markPersisted();
        expectNoChange(w, () => run[transition](w)); // and once more: a repeat
      }
    });
  });

  it('never leaves a terminal state, whatever comes next', () => {
    for (const status of ['paid', 'rejected', 'failed'] as const) {
      const w = withdrawalIn(status);
      for (const transition of Object.keys(run) as Transition[]) {
        try {
          run[transition](w);
        } catch (error) {
          expect(error).toBeInstanceOf(Conflict);
        }
        expect(w.state.status).toBe(status);
        expect(w.pendingEvents).toEqual([]);
      }
    }
  });
});
