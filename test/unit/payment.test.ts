import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BusinessRuleViolation, Conflict, DomainError, Forbidden } from '../../src/kernel/errors.ts';
import { Money } from '../../src/kernel/money.ts';
import { Payment, type PaymentEvent, type PaymentStatus } from '../../src/payments/domain.ts';
import { expectNoChange as expectNoChangeOf, expectRefusedUnchanged, type DomainErrorClass } from '../support/aggregate-expectations.ts';

const usd = (amount: string) => Money.of(amount, 'USD');
const PRICE = usd('25.00');
const PAYER = 'payer-1';
const PAYEE = 'payee-1';
const STRANGER = 'someone-else';
const AUCTION = 'auction-1';
const TITLE = 'A brass lamp';
const PAYABLE_UNTIL = new Date('2030-01-02T00:00:00.000Z');
const OPEN = new Date('2030-01-01T12:00:00.000Z');
const MAX_ATTEMPTS = 3;
const ALL_STATUSES: PaymentStatus[] = ['new', 'charging', 'charged', 'captured', 'failed', 'refunded', 'cancelled'];
const PARTIES = { auctionId: AUCTION, payerId: PAYER, title: TITLE };

function started(): Payment {
  return Payment.start({
    id: 'payment-1',
    auctionId: AUCTION,
    payerId: PAYER,
    payeeId: PAYEE,
    amount: PRICE,
    title: TITLE,
    payableUntil: PAYABLE_UNTIL,
  });
}

/**
 * A payment brought to `status` through its own transitions (attempt 1, charge `ch-1`),
 * its events persisted, so `pendingEvents` holds only what the test does next.
 */
function paymentIn(status: PaymentStatus): Payment {
  const p = started();
  if (status === 'cancelled') p.closeWindow();
  if (status !== 'new' && status !== 'cancelled') p.requestCharge(PAYER, OPEN, MAX_ATTEMPTS);
  if (status === 'failed') p.failAttempt(1, 'the provider refused the card');
  if (status === 'charged' || status === 'captured' || status === 'refunded') p.markCharged('ch-1');
  if (status === 'captured' || status === 'refunded') p.markCaptured('ch-1', PRICE);
  if (status === 'refunded') p.markRefunded('ch-1', 're-1', PRICE);
  expect(p.state.status).toBe(status);
  p.markPersisted();
  return p;
}

/** Everything observable of a payment, as plain values. */
function snapshot(p: Payment) {
  const s = p.state;
  return {
    version: p.version,
    status: s.status,
    attempts: s.attempts,
    providerChargeId: s.providerChargeId,
    captured: s.captured.toString(),
    refunded: s.refunded.toString(),
    unwantedChargeIds: [...s.unwantedChargeIds],
    refundIds: [...s.refundIds],
    failedChargeIds: [...s.failedChargeIds],
    amount: s.amount.toString(),
    payableUntil: s.payableUntil.toISOString(),
  };
}

/** `act` is a no-op: no state change, no event, same version. */
const expectNoChange = (p: Payment, act: () => unknown) => expectNoChangeOf(p, snapshot, act);

/** `act` is refused with `error` (of `kind`), and the refusal changes nothing. */
function expectRefused(p: Payment, act: () => unknown, error: DomainErrorClass, kind: DomainError['kind']): void {
  expect(expectRefusedUnchanged(p, snapshot, act, error).kind).toBe(kind);
}

const conflict = (p: Payment, act: () => unknown) => expectRefused(p, act, Conflict, 'conflict');
const ruleViolation = (p: Payment, act: () => unknown) => expectRefused(p, act, BusinessRuleViolation, 'business_rule');
const forbidden = (p: Payment, act: () => unknown) => expectRefused(p, act, Forbidden, 'forbidden');

/** `act` recorded exactly `events` and advanced the version by as many. */
function expectRecorded(p: Payment, act: () => unknown, events: Partial<PaymentEvent>[]): void {
  const before = p.version;
  act();
  expect(p.pendingEvents).toHaveLength(events.length);
  events.forEach((event, i) => expect(p.pendingEvents[i]).toMatchObject(event));
  expect(p.version).toBe(before + events.length);
  p.markPersisted();
}

describe('Payment: start and restore', () => {
  it('starts new, with nothing charged, recording PaymentStarted as version 1', () => {
    const p = started();
    expect(p.version).toBe(1);
    expect(p.loadedVersion).toBe(0);
    expect(p.pendingEvents).toEqual([
      {
        type: 'PaymentStarted',
        auctionId: AUCTION,
        payerId: PAYER,
        payeeId: PAYEE,
        amount: { amount: '25.00', currency: 'USD' },
        title: TITLE,
        payableUntil: '2030-01-02T00:00:00.000Z',
      },
    ]);
    expect(p.state).toMatchObject({ status: 'new', attempts: 0, providerChargeId: null, unwantedChargeIds: [], refundIds: [] });
    expect(p.state.captured.equals(usd('0'))).toBe(true);
    expect(p.state.refunded.equals(usd('0'))).toBe(true);
    expect(p.isParty(PAYER) && p.isParty(PAYEE)).toBe(true);
    expect(p.isParty(STRANGER)).toBe(false);
  });

  it('restores at the stored version without recording, and continues from it', () => {
    const original = paymentIn('failed');
    const p = Payment.restore('payment-1', 7, { ...original.state, unwantedChargeIds: [], refundIds: [] });
    expect(p.version).toBe(7);
    expect(p.pendingEvents).toEqual([]);
    expect(p.state.status).toBe('failed');
    expect(p.requestCharge(PAYER, OPEN, MAX_ATTEMPTS)).toBe(2);
    expect(p.version).toBe(8);
    expect(p.loadedVersion).toBe(7);
  });
});

describe('Payment.requestCharge', () => {
  it('starts attempt 1 of a new payment: charging, ChargeRequested', () => {
    const p = paymentIn('new');
    let attempt = 0;
    expectRecorded(p, () => (attempt = p.requestCharge(PAYER, OPEN, MAX_ATTEMPTS)), [
      { type: 'ChargeRequested', attempt: 1, payerId: PAYER },
    ]);
    expect(attempt).toBe(1);
    expect(p.state).toMatchObject({ status: 'charging', attempts: 1, providerChargeId: null });
  });

  it('starts the next attempt of a failed payment, forgetting the failed charge', () => {
    const p = paymentIn('charged');
    p.markFailed('ch-1', 'declined');
    expect(p.state).toMatchObject({ status: 'failed', providerChargeId: 'ch-1' });
    p.markPersisted();
    let attempt = 0;
    expectRecorded(p, () => (attempt = p.requestCharge(PAYER, OPEN, MAX_ATTEMPTS)), [
      { type: 'ChargeRequested', attempt: 2, payerId: PAYER },
    ]);
    expect(attempt).toBe(2);
    expect(p.state).toMatchObject({ status: 'charging', attempts: 2, providerChargeId: null });
  });

  it.each(['charging', 'charged'] as const)('refuses a second attempt while one is %s (409)', (status) => {
    const p = paymentIn(status);
    conflict(p, () => p.requestCharge(PAYER, OPEN, MAX_ATTEMPTS));
  });

  it.each(['captured', 'refunded'] as const)('refuses to charge a %s payment (409)', (status) => {
    const p = paymentIn(status);
    conflict(p, () => p.requestCharge(PAYER, OPEN, MAX_ATTEMPTS));
  });

  it('refuses a cancelled payment (422), even before payableUntil', () => {
    const p = paymentIn('cancelled');
    ruleViolation(p, () => p.requestCharge(PAYER, OPEN, MAX_ATTEMPTS));
  });

  it.each(['new', 'failed'] as const)('refuses a %s payment once payableUntil is reached (422), and accepts it just before', (status) => {
    const atTheEnd = paymentIn(status);
    ruleViolation(atTheEnd, () => atTheEnd.requestCharge(PAYER, PAYABLE_UNTIL, MAX_ATTEMPTS));
    const after = paymentIn(status);
    ruleViolation(after, () => after.requestCharge(PAYER, new Date(PAYABLE_UNTIL.getTime() + 60_000), MAX_ATTEMPTS));
    const justBefore = paymentIn(status);
    expect(justBefore.requestCharge(PAYER, new Date(PAYABLE_UNTIL.getTime() - 1), MAX_ATTEMPTS)).toBe(status === 'new' ? 1 : 2);
  });

  it('refuses once maxAttempts attempts were used (422)', () => {
    const p = paymentIn('new');
    for (let attempt = 1; attempt <= 2; attempt++) {
      expect(p.requestCharge(PAYER, OPEN, 2)).toBe(attempt);
      p.failAttempt(attempt, 'refused');
    }
    p.markPersisted();
    ruleViolation(p, () => p.requestCharge(PAYER, OPEN, 2));
    expect(p.requestCharge(PAYER, OPEN, 3)).toBe(3); // the limit is the caller's setting
    const none = paymentIn('new');
    ruleViolation(none, () => none.requestCharge(PAYER, OPEN, 0));
  });

  it.each(ALL_STATUSES)('refuses anyone but the payer, the payee included, on a %s payment (403)', (status) => {
    const p = paymentIn(status);
    forbidden(p, () => p.requestCharge(STRANGER, OPEN, MAX_ATTEMPTS));
    forbidden(p, () => p.requestCharge(PAYEE, OPEN, MAX_ATTEMPTS));
  });

  it('checks the payer first, then an attempt in flight or a paid item (409), then the window and attempts (422)', () => {
    const late = new Date(PAYABLE_UNTIL.getTime() + 1);
    const stranger = paymentIn('cancelled');
    forbidden(stranger, () => stranger.requestCharge(STRANGER, late, 0));
    for (const status of ['charging', 'charged', 'captured', 'refunded'] as const) {
      const p = paymentIn(status);
      conflict(p, () => p.requestCharge(PAYER, late, 0));
    }
  });
});

describe('Payment.assertAttemptInFlight', () => {
  it.each(['charging', 'charged'] as const)('accepts the current attempt while %s, recording nothing', (status) => {
    const p = paymentIn(status);
    expectNoChange(p, () => p.assertAttemptInFlight(1));
  });

  it('refuses an older attempt, and one not yet requested (409)', () => {
    const p = paymentIn('failed');
    p.requestCharge(PAYER, OPEN, MAX_ATTEMPTS);
    p.markPersisted();
    conflict(p, () => p.assertAttemptInFlight(1));
    conflict(p, () => p.assertAttemptInFlight(3));
    expectNoChange(p, () => p.assertAttemptInFlight(2));
  });

  it.each(['new', 'captured', 'failed', 'refunded', 'cancelled'] as const)('refuses every attempt of a %s payment (409)', (status) => {
    const p = paymentIn(status);
    conflict(p, () => p.assertAttemptInFlight(p.state.attempts));
    conflict(p, () => p.assertAttemptInFlight(1));
  });

  it('refuses the attempt that was in flight when the window closed (409)', () => {
    const p = paymentIn('charging');
    p.closeWindow();
    p.markPersisted();
    conflict(p, () => p.assertAttemptInFlight(1));
  });
});

describe('Payment.failAttempt', () => {
  it('fails the attempt in flight: failed, PaymentFailed', () => {
    const p = paymentIn('charging');
    expectRecorded(p, () => p.failAttempt(1, 'the provider could not be reached'), [
      { type: 'PaymentFailed', attempt: 1, reason: 'the provider could not be reached', ...PARTIES },
    ]);
    expect(p.state).toMatchObject({ status: 'failed', attempts: 1 });
  });

  it('changes nothing when repeated', () => {
    const p = paymentIn('charging');
    p.failAttempt(1, 'refused');
    p.markPersisted();
    expectNoChange(p, () => p.failAttempt(1, 'refused'));
  });

  it('changes nothing for an older attempt, nor for one not yet requested', () => {
    const p = paymentIn('failed');
    p.requestCharge(PAYER, OPEN, MAX_ATTEMPTS);
    p.markPersisted();
    expectNoChange(p, () => p.failAttempt(1, 'late'));
    expectNoChange(p, () => p.failAttempt(3, 'future'));
    expect(p.state).toMatchObject({ status: 'charging', attempts: 2 });
  });

  it.each(['new', 'charged', 'captured', 'failed', 'refunded', 'cancelled'] as const)(
    'changes nothing on a %s payment (only a charging attempt can be refused outright)',
    (status) => {
      const p = paymentIn(status);
      expectNoChange(p, () => p.failAttempt(p.state.attempts, 'refused'));
      expectNoChange(p, () => p.failAttempt(1, 'refused'));
    },
  );
});

describe('Payment.markCharged', () => {
  it('records the charge of the attempt in flight: charged, PaymentCharged', () => {
    const p = paymentIn('charging');
    expectRecorded(p, () => p.markCharged('ch-1'), [{ type: 'PaymentCharged', providerChargeId: 'ch-1' }]);
    expect(p.state).toMatchObject({ status: 'charged', providerChargeId: 'ch-1', attempts: 1 });
  });

  it('changes nothing when repeated, nor for another charge once charged', () => {
    const p = paymentIn('charged');
    expectNoChange(p, () => p.markCharged('ch-1'));
    expectNoChange(p, () => p.markCharged('ch-2'));
    expect(p.state.providerChargeId).toBe('ch-1');
  });

  it.each(['new', 'captured', 'failed', 'refunded', 'cancelled'] as const)(
    'changes nothing when it comes late, on a %s payment',
    (status) => {
      const p = paymentIn(status);
      expectNoChange(p, () => p.markCharged('ch-1'));
      expectNoChange(p, () => p.markCharged('ch-9'));
    },
  );
});

describe('Payment.markFailed', () => {
  it('fails a charging attempt, whatever the charge id (none is known yet)', () => {
    const p = paymentIn('charging');
    expectRecorded(p, () => p.markFailed('ch-7', 'declined'), [{ type: 'PaymentFailed', attempt: 1, reason: 'declined', ...PARTIES }]);
    expect(p.state).toMatchObject({ status: 'failed', providerChargeId: null });
  });

  it('fails a charged attempt when the report names its charge', () => {
    const p = paymentIn('charged');
    expectRecorded(p, () => p.markFailed('ch-1', 'insufficient funds'), [
      { type: 'PaymentFailed', attempt: 1, reason: 'insufficient funds', ...PARTIES },
    ]);
    expect(p.state.status).toBe('failed');
  });

  it('ignores the failure of another charge than the one charged', () => {
    const p = paymentIn('charged');
    expectNoChange(p, () => p.markFailed('ch-2', 'declined'));
    expect(p.state).toMatchObject({ status: 'charged', providerChargeId: 'ch-1' });
  });

  it('changes nothing when repeated', () => {
    const p = paymentIn('charged');
    p.markFailed('ch-1', 'declined');
    p.markPersisted();
    expectNoChange(p, () => p.markFailed('ch-1', 'declined'));
  });

  it.each(['new', 'captured', 'failed', 'refunded', 'cancelled'] as const)(
    'changes nothing when it comes late, on a %s payment',
    (status) => {
      const p = paymentIn(status);
      expectNoChange(p, () => p.markFailed('ch-1', 'declined'));
      expectNoChange(p, () => p.markFailed('ch-9', 'declined'));
    },
  );
});

describe('Payment.markCaptured', () => {
  it.each(['new', 'charging', 'charged', 'failed'] as const)('keeps the capture of a %s payment: captured, PaymentCaptured', (status) => {
    const p = paymentIn(status);
    expectRecorded(p, () => p.markCaptured('ch-1', PRICE), [
      {
        type: 'PaymentCaptured',
        providerChargeId: 'ch-1',
        auctionId: AUCTION,
        payerId: PAYER,
        payeeId: PAYEE,
        title: TITLE,
        amount: { amount: '25.00', currency: 'USD' },
      },
    ]);
    expect(p.state).toMatchObject({ status: 'captured', providerChargeId: 'ch-1', unwantedChargeIds: [] });
    expect(p.state.captured.toString()).toBe('25.00 USD');
  });

  it('keeps the first capture even of another charge than the one charged', () => {
    const p = paymentIn('charged');
    expectRecorded(p, () => p.markCaptured('ch-0', PRICE), [{ type: 'PaymentCaptured', providerChargeId: 'ch-0' }]);
    expect(p.state).toMatchObject({ status: 'captured', providerChargeId: 'ch-0' });
  });

  it.each(['captured', 'refunded'] as const)('changes nothing when the kept capture is repeated on a %s payment', (status) => {
    const p = paymentIn(status);
    expectNoChange(p, () => p.markCaptured('ch-1', PRICE));
  });

  it('records a capture of a cancelled payment once, as unwanted after the window', () => {
    const p = paymentIn('cancelled');
    expectRecorded(p, () => p.markCaptured('ch-1', PRICE), [
      {
        type: 'UnwantedCaptureRecorded',
        providerChargeId: 'ch-1',
        reason: 'after-window',
        amount: { amount: '25.00', currency: 'USD' },
        ...PARTIES,
      },
    ]);
    expect(p.state).toMatchObject({ status: 'cancelled', unwantedChargeIds: ['ch-1'], providerChargeId: null });
    expect(p.state.captured.toString()).toBe('25.00 USD');
    expectNoChange(p, () => p.markCaptured('ch-1', PRICE));
  });

  it('records the late capture of the charge that was charged when the window closed as unwanted', () => {
    const p = paymentIn('charged');
    p.closeWindow();
    p.markPersisted();
    expectRecorded(p, () => p.markCaptured('ch-1', PRICE), [
      { type: 'UnwantedCaptureRecorded', providerChargeId: 'ch-1', reason: 'after-window' },
    ]);
    expect(p.state.status).toBe('cancelled');
    expectNoChange(p, () => p.markCaptured('ch-1', PRICE));
  });

  it('records a second charge captured on a captured payment once, as a second capture', () => {
    const p = paymentIn('captured');
    expectRecorded(p, () => p.markCaptured('ch-2', usd('10.00')), [
      {
        type: 'UnwantedCaptureRecorded',
        providerChargeId: 'ch-2',
        reason: 'second-capture',
        amount: { amount: '10.00', currency: 'USD' },
        ...PARTIES,
      },
    ]);
    expect(p.state).toMatchObject({ status: 'captured', providerChargeId: 'ch-1', unwantedChargeIds: ['ch-2'] });
    expect(p.state.captured.toString()).toBe('35.00 USD');
    expectNoChange(p, () => p.markCaptured('ch-2', usd('10.00')));
    expectNoChange(p, () => p.markCaptured('ch-1', PRICE));
  });

  it('records a second charge captured after the kept one was refunded as a second capture', () => {
    const p = paymentIn('refunded');
    expectRecorded(p, () => p.markCaptured('ch-2', PRICE), [
      { type: 'UnwantedCaptureRecorded', providerChargeId: 'ch-2', reason: 'second-capture' },
    ]);
    expect(p.state).toMatchObject({ status: 'refunded', unwantedChargeIds: ['ch-2'] });
    expect(p.state.captured.toString()).toBe('50.00 USD');
  });

  it('totals every capture, kept and unwanted', () => {
    const p = paymentIn('charging');
    p.markCaptured('ch-1', usd('25.00'));
    p.markCaptured('ch-2', usd('0.99'));
    p.markCaptured('ch-3', usd('100.01'));
    p.markCaptured('ch-2', usd('0.99'));
    expect(p.state.captured.toString()).toBe('126.00 USD');
    expect(p.state.unwantedChargeIds).toEqual(['ch-2', 'ch-3']);
    expect(p.pendingEvents.map((e) => e.type)).toEqual(['PaymentCaptured', 'UnwantedCaptureRecorded', 'UnwantedCaptureRecorded']);
  });
});

describe('Payment.closeWindow', () => {
  it.each(['new', 'charging', 'charged', 'failed'] as const)('cancels a %s payment once: PaymentCancelled, then idempotent', (status) => {
    const p = paymentIn(status);
    let outcome = '';
    expectRecorded(p, () => (outcome = p.closeWindow()), [{ type: 'PaymentCancelled', auctionId: AUCTION }]);
    expect(outcome).toBe('cancelled');
    expect(p.state.status).toBe('cancelled');
    expectNoChange(p, () => expect(p.closeWindow()).toBe('cancelled'));
  });

  it('leaves a captured payment captured, recording nothing', () => {
    const p = paymentIn('captured');
    expectNoChange(p, () => expect(p.closeWindow()).toBe('captured'));
    expectNoChange(p, () => expect(p.closeWindow()).toBe('captured'));
  });

  it('answers captured for a payment whose kept charge was refunded', () => {
    const p = paymentIn('refunded');
    expectNoChange(p, () => expect(p.closeWindow()).toBe('captured'));
  });

  it('answers cancelled for a cancelled payment whose unwanted capture was refunded', () => {
    const p = paymentIn('charged');
    p.closeWindow();
    p.markCaptured('ch-1', PRICE);
    p.markRefunded('ch-1', 're-1', PRICE);
    expect(p.state.status).toBe('refunded');
    p.markPersisted();
    expectNoChange(p, () => expect(p.closeWindow()).toBe('cancelled'));
  });

  it('stops the attempt in flight: its later reports change nothing', () => {
    const p = paymentIn('charging');
    p.closeWindow();
    p.markPersisted();
    expectNoChange(p, () => p.failAttempt(1, 'refused'));
    expectNoChange(p, () => p.markCharged('ch-1'));
    expectNoChange(p, () => p.markFailed('ch-1', 'declined'));
    ruleViolation(p, () => p.requestCharge(PAYER, OPEN, MAX_ATTEMPTS));
  });
});

describe('Payment.markRefunded', () => {
  it('refunds the kept charge: refunded, PaymentRefunded with the total', () => {
    const p = paymentIn('captured');
    expectRecorded(p, () => p.markRefunded('ch-1', 're-1', PRICE), [
      {
        type: 'PaymentRefunded',
        providerChargeId: 'ch-1',
        refundId: 're-1',
        amount: { amount: '25.00', currency: 'USD' },
        refunded: { amount: '25.00', currency: 'USD' },
        ...PARTIES,
      },
    ]);
    expect(p.state).toMatchObject({ status: 'refunded', refundIds: ['re-1'] });
    expect(p.state.refunded.toString()).toBe('25.00 USD');
  });

  it('counts a repeated refund id once, even if it names another charge', () => {
    const p = paymentIn('refunded');
    expectNoChange(p, () => p.markRefunded('ch-1', 're-1', PRICE));
    p.markCaptured('ch-2', PRICE);
    p.markPersisted();
    expectNoChange(p, () => p.markRefunded('ch-2', 're-1', PRICE));
  });

  it('adds up partial refunds of the kept charge', () => {
    const p = paymentIn('captured');
    expectRecorded(p, () => p.markRefunded('ch-1', 're-1', usd('10.00')), [
      {
        type: 'PaymentRefunded',
        refundId: 're-1',
        amount: { amount: '10.00', currency: 'USD' },
        refunded: { amount: '10.00', currency: 'USD' },
      },
    ]);
    expect(p.state.status).toBe('refunded'); // a partial refund already makes the payment refunded
    expectRecorded(p, () => p.markRefunded('ch-1', 're-2', usd('15.00')), [
      {
        type: 'PaymentRefunded',
        refundId: 're-2',
        amount: { amount: '15.00', currency: 'USD' },
        refunded: { amount: '25.00', currency: 'USD' },
      },
    ]);
    expectNoChange(p, () => p.markRefunded('ch-1', 're-1', usd('10.00')));
    expect(p.state.refunded.toString()).toBe('25.00 USD');
    expect(p.state.refundIds).toEqual(['re-1', 're-2']);
  });

  it('refunds the unwanted capture of a cancelled payment: refunded', () => {
    const p = paymentIn('cancelled');
    p.markCaptured('ch-1', PRICE);
    p.markPersisted();
    expectRecorded(p, () => p.markRefunded('ch-1', 're-1', PRICE), [
      { type: 'PaymentRefunded', providerChargeId: 'ch-1', refundId: 're-1', refunded: { amount: '25.00', currency: 'USD' } },
    ]);
    expect(p.state.status).toBe('refunded');
    expect(p.state.refunded.equals(p.state.captured)).toBe(true);
    expectNoChange(p, () => p.markRefunded('ch-1', 're-1', PRICE));
  });

  it('counts the refund of a second capture, leaving the item paid', () => {
    const p = paymentIn('captured');
    p.markCaptured('ch-2', usd('10.00'));
    p.markPersisted();
    expectRecorded(p, () => p.markRefunded('ch-2', 're-2', usd('10.00')), [
      { type: 'PaymentRefunded', providerChargeId: 'ch-2', refundId: 're-2', refunded: { amount: '10.00', currency: 'USD' } },
    ]);
    expect(p.state).toMatchObject({ status: 'captured', providerChargeId: 'ch-1' });
    expect(p.closeWindow()).toBe('captured');
  });

  it('changes nothing for a charge it never counted', () => {
    const captured = paymentIn('captured');
    expectNoChange(captured, () => captured.markRefunded('ch-9', 're-9', PRICE));
    for (const status of ['new', 'charging', 'charged', 'failed', 'cancelled'] as const) {
      const p = paymentIn(status);
      expectNoChange(p, () => p.markRefunded('ch-1', 're-1', PRICE)); // charged, perhaps, but never captured
    }
  });
});

/**
 * BUG (domain contradicts its doc comment). A cancelled payment can hold in
 * `providerChargeId` a charge that was charged but never captured. Once an unwanted
 * capture of ANOTHER charge is refunded (status `refunded`), the domain takes that stale
 * id for "the charge that paid for the item". Reachable: the saga fails an attempt whose
 * provider call timed out (`failChargeAttempt` "could not be reached") although the
 * provider created charge ch-1; attempt 2 is charged as ch-2; the window closes; both
 * charges are captured late and their webhooks arrive in this order.
 */
describe('Payment: a cancelled payment whose unwanted capture was refunded (doc-comment contradictions)', () => {
  function cancelledThenRefunded(): Payment {
    const p = started();
    p.requestCharge(PAYER, OPEN, MAX_ATTEMPTS);
    p.failAttempt(1, 'the provider could not be reached'); // yet the provider made ch-1
    p.requestCharge(PAYER, OPEN, MAX_ATTEMPTS);
    p.markCharged('ch-2');
    expect(p.closeWindow()).toBe('cancelled');
    p.markCaptured('ch-1', PRICE); // late: unwanted
    p.markRefunded('ch-1', 're-1', PRICE);
    expect(p.state).toMatchObject({ status: 'refunded', unwantedChargeIds: ['ch-1'] });
    p.markPersisted();
    return p;
  }

  it('records a late capture of the other charge as unwanted ("none is refused because the payment moved on")', () => {
    const p = cancelledThenRefunded();
    expectRecorded(p, () => p.markCaptured('ch-2', PRICE), [{ type: 'UnwantedCaptureRecorded', providerChargeId: 'ch-2' }]);
    expect(p.state.unwantedChargeIds).toEqual(['ch-1', 'ch-2']);
    expect(p.state.captured.toString()).toBe('50.00 USD');
  });

  it('keeps answering cancelled from closeWindow ("Idempotent"; no capture paid for the item)', () => {
    const p = cancelledThenRefunded();
    expectNoChange(p, () => expect(p.closeWindow()).toBe('cancelled'));
  });

  it('ignores a refund of a charge it never counted as captured', () => {
    const p = cancelledThenRefunded();
    expectNoChange(p, () => p.markRefunded('ch-2', 're-2', PRICE));
    expect(p.state.refunded.compare(p.state.captured)).toBeLessThanOrEqual(0);
  });
});

// ---------------------------------------------------------------------------------------
// Random sequences of commands and provider reports, checking the invariants after each.

const CHARGES = ['ch-1', 'ch-2', 'ch-3'] as const;
type ChargeId = (typeof CHARGES)[number];
/** What the provider captures of each charge (a partial capture for ch-3). */
const CAPTURE_CENTS: Record<ChargeId, bigint> = { 'ch-1': 2500n, 'ch-2': 2500n, 'ch-3': 750n };

type Report =
  | { kind: 'charged'; charge: ChargeId }
  | { kind: 'failed'; charge: ChargeId }
  | { kind: 'captured'; charge: ChargeId }
  | { kind: 'refunded'; charge: ChargeId; refundId: string; cents: bigint };
type Step =
  | { kind: 'request'; by: 'payer' | 'stranger'; late: boolean }
  | { kind: 'failAttempt'; attempt: number }
  | { kind: 'assertInFlight'; attempt: number }
  | { kind: 'close' }
  | { kind: 'report'; report: { kind: 'charged' | 'failed' | 'captured'; charge: ChargeId } }
  | { kind: 'refund'; charge: ChargeId; cents: bigint }
  | { kind: 'replay'; index: number };

const charge = fc.constantFrom(...CHARGES);
const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('request' as const),
      by: fc.constantFrom('payer' as const, 'payer' as const, 'stranger' as const),
      late: fc.constantFrom(false, false, false, true),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('failAttempt' as const), attempt: fc.integer({ min: 0, max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('assertInFlight' as const), attempt: fc.integer({ min: 0, max: 3 }) }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'close' as const }) },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('report' as const),
      report: fc.record({ kind: fc.constantFrom('charged' as const, 'failed' as const, 'captured' as const), charge }),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('refund' as const), charge, cents: fc.bigInt({ min: 1n, max: 2500n }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('replay' as const), index: fc.nat() }) },
);

const cents = (m: Money) => m.minorUnits;
const sumOf = (events: readonly PaymentEvent[], ...types: PaymentEvent['type'][]) =>
  events.reduce((sum, e) => (types.includes(e.type) && 'amount' in e ? sum + Money.fromJSON(e.amount).minorUnits : sum), 0n);

describe('Payment: any sequence of commands and provider reports', () => {
  it('keeps its invariants, and records an event exactly when something changed', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40, size: 'max' }), (steps) => {
        const p = started(); // not persisted: pendingEvents is the whole history
        const delivered: Report[] = [];
        /** The provider's side: what it captured and refunded of each charge. */
        const providerCaptured = new Set<ChargeId>();
        const providerRefunded = new Map<ChargeId, bigint>();
        const reportedCaptures = new Set<ChargeId>();
        let refunds = 0;
        let windowOutcome: 'captured' | 'cancelled' | undefined;

        const apply = (report: Report) => {
          if (report.kind === 'charged') p.markCharged(report.charge);
          if (report.kind === 'failed') p.markFailed(report.charge, 'declined');
          if (report.kind === 'captured') {
            p.markCaptured(report.charge, Money.fromMinorUnits(CAPTURE_CENTS[report.charge], 'USD'));
            providerCaptured.add(report.charge);
            reportedCaptures.add(report.charge);
          }
          if (report.kind === 'refunded') p.markRefunded(report.charge, report.refundId, Money.fromMinorUnits(report.cents, 'USD'));
        };

        for (const s of steps) {
          const before = snapshot(p);
          const eventsBefore = p.pendingEvents.length;
          let refused = false;
          if (s.kind === 'request') {
            const now = s.late ? PAYABLE_UNTIL : OPEN;
            // The refusal the doc comment promises, in its order: 403, then 409, then 422.
            const refusal =
              s.by === 'stranger'
                ? Forbidden
                : ['charging', 'charged', 'captured', 'refunded'].includes(before.status)
                  ? Conflict
                  : before.status === 'cancelled' || s.late || before.attempts >= MAX_ATTEMPTS
                    ? BusinessRuleViolation
                    : undefined;
            const requester = s.by === 'payer' ? PAYER : STRANGER;
            if (refusal) {
              expect(() => p.requestCharge(requester, now, MAX_ATTEMPTS)).toThrow(refusal);
              refused = true;
            } else {
              expect(p.requestCharge(requester, now, MAX_ATTEMPTS)).toBe(before.attempts + 1);
              expect(p.state).toMatchObject({ status: 'charging', providerChargeId: null });
            }
          } else if (s.kind === 'failAttempt') {
            p.failAttempt(s.attempt, 'refused');
          } else if (s.kind === 'assertInFlight') {
            const inFlight = (before.status === 'charging' || before.status === 'charged') && before.attempts === s.attempt;
            if (inFlight) p.assertAttemptInFlight(s.attempt);
            else expect(() => p.assertAttemptInFlight(s.attempt)).toThrow(Conflict);
          } else if (s.kind === 'close') {
            const outcome = p.closeWindow();
            if (windowOutcome !== undefined) expect(outcome).toBe(windowOutcome); // idempotent
            windowOutcome = outcome;
          } else if (s.kind === 'report') {
            delivered.push(s.report);
            apply(s.report);
          } else if (s.kind === 'refund') {
            // The provider refunds only what it captured, and never more than that.
            const left = CAPTURE_CENTS[s.charge] - (providerRefunded.get(s.charge) ?? 0n);
            if (!providerCaptured.has(s.charge) || left <= 0n) continue;
            const amount = s.cents < left ? s.cents : left;
            providerRefunded.set(s.charge, CAPTURE_CENTS[s.charge] - left + amount);
            const report: Report = { kind: 'refunded', charge: s.charge, refundId: `re-${++refunds}`, cents: amount };
            delivered.push(report);
            apply(report);
          } else if (delivered.length > 0) {
            apply(delivered[s.index % delivered.length]!); // a repeated webhook
          }

          const after = snapshot(p);
          const recorded = p.pendingEvents.length - eventsBefore;
          // An event is recorded iff the version advanced iff the state changed; at most one per step.
          expect(after.version - before.version).toBe(recorded);
          expect(recorded).toBeLessThanOrEqual(1);
          expect(recorded === 1).toBe(JSON.stringify(after) !== JSON.stringify({ ...before, version: after.version }));
          if (refused) expect(recorded).toBe(0);

          const s2 = p.state;
          const events = p.pendingEvents;
          // Money: refunded <= captured; both totals are the sums of their events.
          expect(cents(s2.refunded) <= cents(s2.captured)).toBe(true);
          expect(cents(s2.captured)).toBe(sumOf(events, 'PaymentCaptured', 'UnwantedCaptureRecorded'));
          expect(cents(s2.refunded)).toBe(sumOf(events, 'PaymentRefunded'));
          // At most one kept capture; captured implies the kept charge is known.
          const kept = events.filter((e) => e.type === 'PaymentCaptured');
          expect(kept.length).toBeLessThanOrEqual(1);
          if (s2.status === 'captured') {
            expect(s2.providerChargeId).not.toBeNull();
            expect(kept).toHaveLength(1);
            expect(kept[0]).toMatchObject({ providerChargeId: s2.providerChargeId });
          }
          // Each capture the provider reported is counted exactly once, kept or unwanted.
          const counted = events.flatMap((e) =>
            e.type === 'PaymentCaptured' || e.type === 'UnwantedCaptureRecorded' ? [e.providerChargeId] : [],
          );
          expect(new Set(counted).size).toBe(counted.length);
          expect(new Set(counted)).toEqual(reportedCaptures);
          // The kept charge is never also unwanted.
          const keptCharge = kept[0]?.type === 'PaymentCaptured' ? kept[0].providerChargeId : undefined;
          expect(s2.unwantedChargeIds).not.toContain(keptCharge);
          // Each refund id is counted once.
          expect(new Set(s2.refundIds).size).toBe(s2.refundIds.length);
          // Attempts never exceed the limit; a new payment has made none.
          expect(s2.attempts).toBeLessThanOrEqual(MAX_ATTEMPTS);
          if (s2.status === 'new') expect(s2.attempts).toBe(0);
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe('late reports about an earlier attempt', () => {
  /** Attempt 1 charged as ch-1 and declined; attempt 2 in flight. */
  function secondAttemptInFlight(): Payment {
    const p = started();
    p.requestCharge(PAYER, OPEN, MAX_ATTEMPTS);
    p.markCharged('ch-1');
    p.markFailed('ch-1', 'card_declined');
    expect(p.requestCharge(PAYER, OPEN, MAX_ATTEMPTS)).toBe(2);
    p.markPersisted();
    return p;
  }

  it('a repeated "charged" for the failed attempt does not take over the attempt in flight', () => {
    const p = secondAttemptInFlight();
    expectNoChange(p, () => p.markCharged('ch-1'));
    p.markCharged('ch-2');
    p.markFailed('ch-2', 'card_declined');
    expect(p.state).toMatchObject({ status: 'failed', failedChargeIds: ['ch-1', 'ch-2'] });
  });

  it('a repeated "failed" for the failed attempt does not fail the attempt in flight', () => {
    const p = secondAttemptInFlight();
    expectNoChange(p, () => p.markFailed('ch-1', 'card_declined'));
    expect(p.state.status).toBe('charging');
  });

  it('closing the window forgets the charge that never paid, so a late capture of any charge is unwanted', () => {
    const p = started();
    p.requestCharge(PAYER, OPEN, MAX_ATTEMPTS);
    p.markCharged('ch-1');
    expect(p.closeWindow()).toBe('cancelled');
    expect(p.state.providerChargeId).toBeNull();
    p.markCaptured('ch-1', PRICE);
    expect(p.state).toMatchObject({ status: 'cancelled', unwantedChargeIds: ['ch-1'] });
    p.markRefunded('ch-1', 're-1', PRICE);
    expect(p.state.status).toBe('refunded');
    expect(p.closeWindow()).toBe('cancelled');
  });
});
