/**
 * The delivery transaction's state machine (DeliveryTransaction, src/fulfilment/delivery.ts):
 *
 *     pending ──accept──► accepted ──shipped──► shipped ──delivered──► delivered ──confirm──► confirmed
 *        │                   │                     │                     │
 *        ├─reject / silence  ├─cancel (buyer)      ├─returned, lost      └─return claim──► return-requested
 *        ▼                   ▼                     ▼                                         │
 *     rejected            cancelled          returned / lost ◄── return arrives / is lost ──┘
 *
 * - Each party action has one rightful actor: accept and reject are the seller's; cancel,
 *   confirm and return the buyer's. Anyone else, the other party or a stranger, is refused
 *   (403 Forbidden) whatever the state.
 * - The rightful actor moves the order from the status the action starts from; repeating
 *   the action that made the current status is a no-op; anything else is a 409 (Conflict).
 *   assertCancellable is cancel's check alone: it refuses as cancel does, changes nothing,
 *   and names the booking to cancel at the carrier first.
 * - An order made by the saga older than the order after payment (`startedBeforeOrders`)
 *   takes no party action: the rightful actor gets a 409 in every state, anyone else still
 *   a 403 first.
 * - cancelledTooLate (the carrier refused to cancel: the parcel had left) turns a cancelled
 *   order into a return (CancellationTooLate, by the carrier) and changes nothing elsewhere.
 * - Carrier reports are facts, told apart by tracking number: the outbound parcel's moves an
 *   order under way (accepted, shipped), the return's moves a return-requested one, and a
 *   report about another parcel, a repeat or a late one is no news (answers false).
 * - The timers (rejectUnanswered, confirmUnclaimed, remindToConfirm, declareLost,
 *   settleOverdueReturn, deadlineMissed) act only in their status and change nothing elsewhere.
 * - Every event carries who moved the order (`actor`).
 * - Nothing refused or ignored records an event or changes the state.
 */
import { describe, expect, it } from 'vitest';
import {
  DeliveryTransaction,
  type Actor,
  type CarrierEventType,
  type CarrierShipmentStatus,
  type DeliveryEvent,
  type DeliveryStatus,
  type Parties,
} from '../../src/fulfilment/domain.ts';
import { Conflict, Forbidden } from '../../src/kernel/errors.ts';
import { expectNoChange as expectNoChangeOf, expectRefusedUnchanged, type DomainErrorClass } from '../support/aggregate-expectations.ts';

const DELIVERY_ID = 'delivery-1';
const BUYER = 'buyer-1';
const SELLER = 'seller-1';
const STRANGER = 'someone-else';
const TITLE = 'A brass lamp';
const ADDRESS = 'on file for customer buyer-1';
const TRACKING = 'TRK-1';
const RETURN_TRACKING = 'RTN-1';
const UNKNOWN_TRACKING = 'TRK-OTHER';
const REJECT_REASON = 'out of stock';
const RETURN_REASON = 'arrived broken';
const TOO_LATE_REASON = 'the parcel had left before the cancellation reached the carrier';
const PARTIES: Parties = { auctionId: 'auction-1', buyerId: BUYER, sellerId: SELLER, paymentId: 'payment-1', title: TITLE };
/** What every event after DeliveryCreated tells of the order. */
const TOLD = { buyerId: BUYER, sellerId: SELLER, title: TITLE };
const ALL_STATUSES: DeliveryStatus[] = [
  'pending',
  'accepted',
  'shipped',
  'delivered',
  'confirmed',
  'return-requested',
  'returned',
  'rejected',
  'cancelled',
  'lost',
];
const FINISHED: DeliveryStatus[] = ['confirmed', 'returned', 'lost', 'rejected', 'cancelled'];
const CARRIER_EVENTS: CarrierEventType[] = ['package.shipped', 'package.delivered', 'package.returned', 'package.lost'];
const AT_CARRIER: CarrierShipmentStatus[] = ['booked', 'shipped', 'delivered', 'returned', 'lost', 'cancelled'];

function created(): DeliveryTransaction {
  return DeliveryTransaction.create(DELIVERY_ID, PARTIES, ADDRESS);
}

const toAccepted = (d: DeliveryTransaction) => {
  d.accept(SELLER);
  d.booked(TRACKING);
};
const toShipped = (d: DeliveryTransaction) => {
  toAccepted(d);
  d.apply('package.shipped', TRACKING);
};
const toDelivered = (d: DeliveryTransaction) => {
  toShipped(d);
  d.apply('package.delivered', TRACKING);
};
const toReturnRequested = (d: DeliveryTransaction) => {
  toDelivered(d);
  d.requestReturn(BUYER, RETURN_REASON);
  d.returnBooked(RETURN_TRACKING);
};

/** Every way into every status, through the machine's own commands and reports. */
interface Route {
  name: string;
  status: DeliveryStatus;
  steps: (d: DeliveryTransaction) => void;
}
const ROUTES: Route[] = [
  { name: 'pending', status: 'pending', steps: () => {} },
  { name: 'accepted and booked', status: 'accepted', steps: toAccepted },
  { name: 'shipped', status: 'shipped', steps: toShipped },
  { name: 'delivered', status: 'delivered', steps: toDelivered },
  { name: 'delivered, buyer reminded', status: 'delivered', steps: (d) => (toDelivered(d), d.remindToConfirm()) },
  { name: 'confirmed by the buyer', status: 'confirmed', steps: (d) => (toDelivered(d), d.confirm(BUYER)) },
  { name: 'confirmed by the timer', status: 'confirmed', steps: (d) => (toDelivered(d), d.confirmUnclaimed()) },
  {
    name: 'confirmed, the return lapsed',
    status: 'confirmed',
    steps: (d) => (toReturnRequested(d), d.settleOverdueReturn('booked', 'delivered')),
  },
  { name: 'return-requested and booked', status: 'return-requested', steps: toReturnRequested },
  {
    name: 'returned by the return',
    status: 'returned',
    steps: (d) => (toReturnRequested(d), d.apply('package.returned', RETURN_TRACKING)),
  },
  { name: 'returned to sender', status: 'returned', steps: (d) => (toShipped(d), d.apply('package.returned', TRACKING)) },
  {
    name: 'returned, found overdue',
    status: 'returned',
    steps: (d) => (toReturnRequested(d), d.settleOverdueReturn('returned', 'delivered')),
  },
  { name: 'rejected by the seller', status: 'rejected', steps: (d) => d.reject(SELLER, REJECT_REASON) },
  { name: 'rejected by the timer', status: 'rejected', steps: (d) => d.rejectUnanswered() },
  { name: 'cancelled before acceptance', status: 'cancelled', steps: (d) => d.cancel(BUYER) },
  { name: 'cancelled after booking', status: 'cancelled', steps: (d) => (toAccepted(d), d.cancel(BUYER)) },
  {
    name: 'cancelled too late, return booked',
    status: 'return-requested',
    steps: (d) => (toAccepted(d), d.cancel(BUYER), d.cancelledTooLate(), d.returnBooked(RETURN_TRACKING)),
  },
  { name: 'lost outbound', status: 'lost', steps: (d) => (toShipped(d), d.apply('package.lost', TRACKING)) },
  { name: 'declared lost', status: 'lost', steps: (d) => (toShipped(d), d.declareLost()) },
  { name: 'lost on return', status: 'lost', steps: (d) => (toReturnRequested(d), d.apply('package.lost', RETURN_TRACKING)) },
];

function build(route: Route): DeliveryTransaction {
  const d = created();
  route.steps(d);
  return d;
}

/** A delivery brought along `route`, its events persisted. */
function deliveryAt(route: Route): DeliveryTransaction {
  const d = build(route);
  expect(d.state.status).toBe(route.status);
  d.markPersisted();
  return d;
}

/** A delivery brought to `status` by its first route. */
function deliveryIn(status: DeliveryStatus): DeliveryTransaction {
  return deliveryAt(ROUTES.find((r) => r.status === status)!);
}

function snapshot(d: DeliveryTransaction) {
  return { ...d.state, version: d.version };
}

const expectNoChange = (d: DeliveryTransaction, act: () => unknown) => expectNoChangeOf(d, snapshot, act);

const expectRefused = (d: DeliveryTransaction, act: () => unknown, error: DomainErrorClass) =>
  expectRefusedUnchanged(d, snapshot, act, error);

function expectRecorded(d: DeliveryTransaction, act: () => unknown, events: DeliveryEvent[]): void {
  const before = d.version;
  act();
  expect(d.pendingEvents).toEqual(events);
  expect(d.version).toBe(before + events.length);
  d.markPersisted();
}

describe('DeliveryTransaction.create and restore', () => {
  it('creates a pending, unbooked delivery, recording DeliveryCreated (by the platform) with the parties as version 1', () => {
    const d = created();
    expect(d.id).toBe(DELIVERY_ID);
    expect(d.version).toBe(1);
    expect(d.loadedVersion).toBe(0);
    expect(d.pendingEvents).toEqual([{ type: 'DeliveryCreated', address: ADDRESS, ...PARTIES, actor: 'platform' }]);
    expect(d.state).toEqual({
      ...PARTIES,
      address: ADDRESS,
      status: 'pending',
      trackingNumber: null,
      returnTrackingNumber: null,
      reason: null,
      missedDeadlines: 0,
      reminderSent: false,
      startedBeforeOrders: false,
    });
    expect(d.isFinished()).toBe(false);
  });

  it('restores at the stored version without recording, and continues from it', () => {
    const d = DeliveryTransaction.restore(DELIVERY_ID, 6, { ...deliveryIn('shipped').state });
    expect(d.version).toBe(6);
    expect(d.pendingEvents).toEqual([]);
    expect(d.apply('package.delivered', TRACKING)).toBe(true);
    expect(d.version).toBe(7);
    expect(d.loadedVersion).toBe(6);
  });

  it('counts only the buyer and the seller as parties', () => {
    const d = created();
    expect([BUYER, SELLER, STRANGER].map((c) => d.isParty(c))).toEqual([true, true, false]);
  });

  it.each(ROUTES.map((r) => [r.name, r] as const))('answers isFinished for %s', (_, route) => {
    expect(deliveryAt(route).isFinished()).toBe(FINISHED.includes(route.status));
  });

  it('reaches every status', () => {
    expect(new Set(ROUTES.map((r) => r.status))).toEqual(new Set(ALL_STATUSES));
  });
});

describe('the party actions', () => {
  type PartyAction = 'accept' | 'reject' | 'cancel' | 'confirm' | 'return';
  const ACTIONS: Record<
    PartyAction,
    { role: 'buyer' | 'seller'; act: (d: DeliveryTransaction, customerId: string) => void; to: DeliveryStatus; event: DeliveryEvent }
  > = {
    accept: { role: 'seller', act: (d, c) => d.accept(c), to: 'accepted', event: { type: 'OrderAccepted', actor: 'seller', ...TOLD } },
    reject: {
      role: 'seller',
      act: (d, c) => d.reject(c, REJECT_REASON),
      to: 'rejected',
      event: { type: 'OrderRejected', actor: 'seller', reason: REJECT_REASON, ...TOLD },
    },
    cancel: { role: 'buyer', act: (d, c) => d.cancel(c), to: 'cancelled', event: { type: 'OrderCancelled', actor: 'buyer', ...TOLD } },
    confirm: {
      role: 'buyer',
      act: (d, c) => d.confirm(c),
      to: 'confirmed',
      event: { type: 'DeliveryConfirmed', actor: 'buyer', returnLapsed: false, ...TOLD },
    },
    return: {
      role: 'buyer',
      act: (d, c) => d.requestReturn(c, RETURN_REASON),
      to: 'return-requested',
      event: { type: 'ReturnRequested', actor: 'buyer', reason: RETURN_REASON, ...TOLD },
    },
  };
  const ACTION_NAMES = Object.keys(ACTIONS) as PartyAction[];

  /** What the rightful actor's action does in each status: moves it (to ACTIONS[action].to), nothing (a repeat), or 409. */
  const TABLE: Record<DeliveryStatus, Record<PartyAction, 'moves' | 'no-op' | 'conflict'>> = {
    pending: { accept: 'moves', reject: 'moves', cancel: 'moves', confirm: 'conflict', return: 'conflict' },
    accepted: { accept: 'no-op', reject: 'conflict', cancel: 'moves', confirm: 'conflict', return: 'conflict' },
    shipped: { accept: 'conflict', reject: 'conflict', cancel: 'conflict', confirm: 'conflict', return: 'conflict' },
    delivered: { accept: 'conflict', reject: 'conflict', cancel: 'conflict', confirm: 'moves', return: 'moves' },
    confirmed: { accept: 'conflict', reject: 'conflict', cancel: 'conflict', confirm: 'no-op', return: 'conflict' },
    'return-requested': { accept: 'conflict', reject: 'conflict', cancel: 'conflict', confirm: 'conflict', return: 'no-op' },
    returned: { accept: 'conflict', reject: 'conflict', cancel: 'conflict', confirm: 'conflict', return: 'conflict' },
    rejected: { accept: 'conflict', reject: 'no-op', cancel: 'conflict', confirm: 'conflict', return: 'conflict' },
    cancelled: { accept: 'conflict', reject: 'conflict', cancel: 'no-op', confirm: 'conflict', return: 'conflict' },
    lost: { accept: 'conflict', reject: 'conflict', cancel: 'conflict', confirm: 'conflict', return: 'conflict' },
  };

  describe.each(ROUTES.map((r) => [r.name, r] as const))('on a delivery %s', (_, route) => {
    it.each(ACTION_NAMES)('%s by its rightful actor', (action) => {
      const { role, act, to, event } = ACTIONS[action];
      const rightful = role === 'buyer' ? BUYER : SELLER;
      const d = deliveryAt(route);
      const expected = TABLE[route.status][action];
      if (expected === 'conflict') {
        expectRefused(d, () => act(d, rightful), Conflict);
        return;
      }
      if (expected === 'no-op') {
        expectNoChange(d, () => act(d, rightful));
        return;
      }
      const before = snapshot(d);
      expectRecorded(d, () => act(d, rightful), [event]);
      expect(d.state.status).toBe(to);
      expect(d.isFinished()).toBe(FINISHED.includes(to));
      // Only the status, and the reason of a rejection or a return, change.
      const reason = action === 'reject' ? REJECT_REASON : action === 'return' ? RETURN_REASON : before.reason;
      expect(snapshot(d)).toEqual({ ...before, status: to, reason, version: before.version + 1 });
      // A retried request succeeds once.
      expectNoChange(d, () => act(d, rightful));
    });

    it.each(ACTION_NAMES.flatMap((action) => [STRANGER, ACTIONS[action].role === 'buyer' ? SELLER : BUYER].map((who) => [action, who])))(
      '%s by %s is forbidden (403)',
      (action, who) => {
        const d = deliveryAt(route);
        const error = expectRefused(d, () => ACTIONS[action as PartyAction].act(d, who), Forbidden);
        expect(error.message).toContain(`only the ${ACTIONS[action as PartyAction].role}`);
      },
    );
  });

  it('keeps the first reason when a rejection or a return is repeated with another', () => {
    const rejected = deliveryIn('rejected');
    expectNoChange(rejected, () => rejected.reject(SELLER, 'changed my mind'));
    expect(rejected.state.reason).toBe(REJECT_REASON);
    const returning = deliveryIn('return-requested');
    expectNoChange(returning, () => returning.requestReturn(BUYER, 'another reason'));
    expect(returning.state.reason).toBe(RETURN_REASON);
  });

  it('cancels a booked order, keeping its tracking number (the saga cancels the booking it names)', () => {
    const d = deliveryIn('accepted');
    d.cancel(BUYER);
    expect(d.state).toMatchObject({ status: 'cancelled', trackingNumber: TRACKING });
  });

  describe('assertCancellable (the cancel route’s check, before it cancels at the carrier)', () => {
    /** What it answers the buyer, by status: the booking to cancel at the carrier first, or a 409. */
    const BOOKED_AS: Partial<Record<DeliveryStatus, string | null>> = { pending: null, accepted: TRACKING, cancelled: null };

    describe.each(ROUTES.map((r) => [r.name, r] as const))('on a delivery %s', (_, route) => {
      it('by the buyer: names the booking, or refuses as cancel does; changes nothing either way', () => {
        const d = deliveryAt(route);
        const expected = BOOKED_AS[route.status];
        if (expected === undefined) {
          const error = expectRefused(d, () => d.assertCancellable(BUYER), Conflict);
          expect(error.message).toContain('only before it ships');
          expectRefused(d, () => d.cancel(BUYER), Conflict);
          return;
        }
        expectNoChange(d, () => expect(d.assertCancellable(BUYER)).toEqual({ bookedAs: expected }));
      });

      it.each([SELLER, STRANGER])('by %s: forbidden (403), as cancel is', (who) => {
        const d = deliveryAt(route);
        const error = expectRefused(d, () => d.assertCancellable(who), Forbidden);
        expect(error.message).toContain('only the buyer');
        expectRefused(d, () => d.cancel(who), Forbidden);
      });
    });

    it('names no booking on an order accepted but not yet booked (the booking is still being recorded)', () => {
      const d = created();
      d.accept(SELLER);
      d.markPersisted();
      expectNoChange(d, () => expect(d.assertCancellable(BUYER)).toEqual({ bookedAs: null }));
    });

    it('names no booking on a repeat, even a booked order’s: the first cancel cancelled it at the carrier', () => {
      const d = deliveryAt(ROUTES.find((r) => r.name === 'cancelled after booking')!);
      expect(d.state.trackingNumber).toBe(TRACKING);
      expectNoChange(d, () => expect(d.assertCancellable(BUYER)).toEqual({ bookedAs: null }));
    });
  });

  describe('on an order placed before orders (startedBeforeOrders: its old saga acts on none of these)', () => {
    /** The route's delivery as the old saga's row would be restored: the same state, flagged. */
    function oldOrderAt(route: Route): DeliveryTransaction {
      const built = build(route);
      const d = DeliveryTransaction.restore(DELIVERY_ID, built.version, { ...built.state, startedBeforeOrders: true });
      expect(d.state.status).toBe(route.status);
      return d;
    }

    describe.each(ROUTES.map((r) => [r.name, r] as const))('on a delivery %s', (_, route) => {
      it.each(ACTION_NAMES)('%s by its rightful actor: 409 in every state, even where it would be a no-op', (action) => {
        const { role, act } = ACTIONS[action];
        const d = oldOrderAt(route);
        const error = expectRefused(d, () => act(d, role === 'buyer' ? BUYER : SELLER), Conflict);
        expect(error.message).toContain('was placed before these order moves existed');
      });

      it('assertCancellable by the buyer: 409', () => {
        const d = oldOrderAt(route);
        expectRefused(d, () => d.assertCancellable(BUYER), Conflict);
      });

      it.each(ACTION_NAMES.flatMap((action) => [STRANGER, ACTIONS[action].role === 'buyer' ? SELLER : BUYER].map((who) => [action, who])))(
        '%s by %s: still forbidden (403), not 409',
        (action, who) => {
          const d = oldOrderAt(route);
          const error = expectRefused(d, () => ACTIONS[action as PartyAction].act(d, who), Forbidden);
          expect(error.message).toContain(`only the ${ACTIONS[action as PartyAction].role}`);
        },
      );

      it.each([SELLER, STRANGER])('assertCancellable by %s: still forbidden (403)', (who) => {
        const d = oldOrderAt(route);
        expectRefused(d, () => d.assertCancellable(who), Forbidden);
      });
    });

    it('still takes its old saga’s steps: the booking, the carrier’s reports, the deadlines', () => {
      const d = DeliveryTransaction.restore(DELIVERY_ID, 1, { ...created().state, startedBeforeOrders: true });
      d.booked(TRACKING);
      expect(d.state.status).toBe('accepted');
      d.deadlineMissed('shipping', 1);
      expect(d.apply('package.shipped', TRACKING)).toBe(true);
      expect(d.apply('package.delivered', TRACKING)).toBe(true);
      expect(d.pendingEvents.map((e) => e.type)).toEqual([
        'ShipmentBooked',
        'DeliveryDeadlineMissed',
        'PackageShipped',
        'PackageDelivered',
      ]);
      expect(d.state).toMatchObject({ status: 'delivered', missedDeadlines: 1, startedBeforeOrders: true });
    });
  });
});

describe('DeliveryTransaction.cancelledTooLate (the carrier refused the cancellation: the parcel had left)', () => {
  describe.each(ROUTES.map((r) => [r.name, r] as const))('on a delivery %s', (_, route) => {
    const booked = deliveryAt(route).state.trackingNumber !== null;
    it(route.status === 'cancelled' && booked ? 'becomes a return, by the carrier' : 'changes nothing and answers the status', () => {
      const d = deliveryAt(route);
      if (route.status !== 'cancelled' || !booked) {
        expectNoChange(d, () => expect(d.cancelledTooLate()).toBe(route.status));
        return;
      }
      const before = snapshot(d);
      let status: DeliveryStatus | undefined;
      expectRecorded(d, () => (status = d.cancelledTooLate()), [{ type: 'CancellationTooLate', actor: 'carrier', ...TOLD }]);
      expect(status).toBe('return-requested');
      // The booking is kept (the parcel is under way under it); no return is booked yet.
      expect(snapshot(d)).toEqual({ ...before, status: 'return-requested', reason: TOO_LATE_REASON, version: before.version + 1 });
      expect(d.isFinished()).toBe(false);
      // The saga retrying its activity changes nothing more.
      expectNoChange(d, () => expect(d.cancelledTooLate()).toBe('return-requested'));
    });
  });

  it('goes on as a return: booked, the outbound parcel’s reports no news, refunded when the return arrives', () => {
    const d = deliveryIn('accepted');
    d.cancel(BUYER);
    d.cancelledTooLate();
    d.markPersisted();
    expectRecorded(d, () => d.returnBooked(RETURN_TRACKING), [
      { type: 'ReturnBooked', returnTrackingNumber: RETURN_TRACKING, actor: 'platform', ...TOLD },
    ]);
    // The parcel that left reaches the buyer: not news to an order already coming back.
    expectNoChange(d, () => expect(d.apply('package.shipped', TRACKING)).toBe(false));
    expectNoChange(d, () => expect(d.apply('package.delivered', TRACKING)).toBe(false));
    // The buyer can neither cancel again nor confirm it; a return claim is the one already made.
    expectRefused(d, () => d.cancel(BUYER), Conflict);
    expectRefused(d, () => d.confirm(BUYER), Conflict);
    expectNoChange(d, () => d.requestReturn(BUYER, RETURN_REASON));
    expect(d.state.reason).toBe(TOO_LATE_REASON);
    expectRecorded(d, () => expect(d.apply('package.returned', RETURN_TRACKING)).toBe(true), [
      { type: 'PackageReturned', actor: 'carrier', ...TOLD },
    ]);
    expect(d.state).toMatchObject({ status: 'returned', trackingNumber: TRACKING, returnTrackingNumber: RETURN_TRACKING });
    expect(d.isFinished()).toBe(true);
  });
});

describe('DeliveryTransaction.apply (carrier reports)', () => {
  type Parcel = 'outbound' | 'return' | 'unknown';
  const NUMBER: Record<Parcel, string> = { outbound: TRACKING, return: RETURN_TRACKING, unknown: UNKNOWN_TRACKING };
  const by = (actor: 'carrier') => ({ actor, ...TOLD });

  /**
   * The reports that are news, by status and by whose tracking number they carry: the new
   * status and its event. Every other cell (any report on pending, delivered, confirmed or a
   * finished order; the return's `shipped`; any report about an unknown parcel) is no news.
   */
  const NEWS: Partial<Record<DeliveryStatus, Partial<Record<Parcel, Partial<Record<CarrierEventType, [DeliveryStatus, DeliveryEvent]>>>>>> =
    {
      accepted: {
        outbound: {
          'package.shipped': ['shipped', { type: 'PackageShipped', trackingNumber: TRACKING, ...by('carrier') }],
          'package.delivered': ['delivered', { type: 'PackageDelivered', ...by('carrier') }],
          'package.returned': ['returned', { type: 'PackageReturned', ...by('carrier') }],
          'package.lost': ['lost', { type: 'PackageLost', ...by('carrier') }],
        },
      },
      shipped: {
        outbound: {
          'package.delivered': ['delivered', { type: 'PackageDelivered', ...by('carrier') }],
          'package.returned': ['returned', { type: 'PackageReturned', ...by('carrier') }],
          'package.lost': ['lost', { type: 'PackageLost', ...by('carrier') }],
        },
      },
      'return-requested': {
        return: {
          'package.delivered': ['returned', { type: 'PackageReturned', ...by('carrier') }],
          'package.returned': ['returned', { type: 'PackageReturned', ...by('carrier') }],
          'package.lost': ['lost', { type: 'PackageLost', ...by('carrier') }],
        },
      },
    };

  /** A return that began as a refused cancellation: the outbound parcel coming back or lost before the buyer had it ends the order too. */
  const TOO_LATE_NEWS: typeof NEWS = {
    ...NEWS,
    'return-requested': {
      ...NEWS['return-requested'],
      outbound: {
        'package.returned': ['returned', { type: 'PackageReturned', ...by('carrier') }],
        'package.lost': ['lost', { type: 'PackageLost', ...by('carrier') }],
      },
    },
  };

  describe.each(ROUTES.map((r) => [r.name, r] as const))('on a delivery %s', (_, route) => {
    it.each((['outbound', 'return', 'unknown'] as const).flatMap((parcel) => CARRIER_EVENTS.map((report) => [report, parcel] as const)))(
      '%s for the %s parcel',
      (report, parcel) => {
        const d = deliveryAt(route);
        const table = route.name === 'cancelled too late, return booked' ? TOO_LATE_NEWS : NEWS;
        const expected = table[route.status]?.[parcel]?.[report];
        if (!expected) {
          expectNoChange(d, () => expect(d.apply(report, NUMBER[parcel])).toBe(false));
          return;
        }
        const [to, event] = expected;
        const before = snapshot(d);
        let news: boolean | undefined;
        expectRecorded(d, () => (news = d.apply(report, NUMBER[parcel])), [event]);
        expect(news).toBe(true);
        expect(snapshot(d)).toEqual({ ...before, status: to, version: before.version + 1 });
        // The same webhook delivered again is not news.
        expectNoChange(d, () => expect(d.apply(report, NUMBER[parcel])).toBe(false));
      },
    );
  });

  it('takes a report without a tracking number (the saga asking the carrier) as the outbound parcel’s', () => {
    const shipped = deliveryIn('shipped');
    expect(shipped.apply('package.delivered')).toBe(true);
    expect(shipped.state.status).toBe('delivered');
    const returning = deliveryIn('return-requested');
    expectNoChange(returning, () => expect(returning.apply('package.returned')).toBe(false));
  });

  it('stays finished whatever the carrier reports afterwards, in any order, about any parcel', () => {
    for (const route of ROUTES.filter((r) => FINISHED.includes(r.status))) {
      const d = deliveryAt(route);
      for (const report of [...CARRIER_EVENTS, ...CARRIER_EVENTS.slice().reverse()]) {
        for (const number of [TRACKING, RETURN_TRACKING, UNKNOWN_TRACKING, undefined]) {
          expectNoChange(d, () => expect(d.apply(report, number)).toBe(false));
        }
      }
      expect(d.state.status).toBe(route.status);
    }
  });

  it('takes a report that beats the booking’s write as the outbound parcel’s: shipped with an empty tracking number, booked afterwards', () => {
    const d = created();
    d.accept(SELLER);
    d.markPersisted();
    expectRecorded(d, () => expect(d.apply('package.shipped', TRACKING)).toBe(true), [
      { type: 'PackageShipped', trackingNumber: '', ...by('carrier') },
    ]);
    expectRecorded(d, () => d.booked(TRACKING), [{ type: 'ShipmentBooked', trackingNumber: TRACKING, actor: 'platform', ...TOLD }]);
    expect(d.state).toMatchObject({ status: 'shipped', trackingNumber: TRACKING });
  });

  it('ignores a report about the return before the return is booked', () => {
    const d = deliveryIn('delivered');
    d.requestReturn(BUYER, RETURN_REASON);
    d.markPersisted();
    expectNoChange(d, () => expect(d.apply('package.returned', RETURN_TRACKING)).toBe(false));
  });
});

describe('DeliveryTransaction.booked and returnBooked', () => {
  it('books an accepted order once: ShipmentBooked by the platform', () => {
    const d = created();
    d.accept(SELLER);
    d.markPersisted();
    expectRecorded(d, () => d.booked(TRACKING), [{ type: 'ShipmentBooked', trackingNumber: TRACKING, actor: 'platform', ...TOLD }]);
    expect(d.state).toMatchObject({ trackingNumber: TRACKING, status: 'accepted' });
  });

  it('takes a booking on a pending order (a saga that booked at once) as its acceptance', () => {
    const d = created();
    d.markPersisted();
    expectRecorded(d, () => d.booked(TRACKING), [{ type: 'ShipmentBooked', trackingNumber: TRACKING, actor: 'platform', ...TOLD }]);
    expect(d.state).toMatchObject({ trackingNumber: TRACKING, status: 'accepted' });
  });

  it('records a booking that lands after the buyer cancelled, so the saga can cancel it; the order stays cancelled', () => {
    const d = created();
    d.cancel(BUYER);
    d.markPersisted();
    expectRecorded(d, () => d.booked(TRACKING), [{ type: 'ShipmentBooked', trackingNumber: TRACKING, actor: 'platform', ...TOLD }]);
    expect(d.state).toMatchObject({ trackingNumber: TRACKING, status: 'cancelled' });
    expectNoChange(d, () => expect(d.apply('package.shipped', TRACKING)).toBe(false));
  });

  const BOOKED = ROUTES.filter((r) => build(r).state.trackingNumber !== null).map((r) => [r.name, r] as const);

  it.each(BOOKED)('changes nothing when the same booking is reported again on a delivery %s', (_, route) => {
    const d = deliveryAt(route);
    expectNoChange(d, () => d.booked(TRACKING));
  });

  it.each(BOOKED)('refuses another tracking number on a delivery %s (409)', (_, route) => {
    const d = deliveryAt(route);
    expectRefused(d, () => d.booked('TRK-2'), Conflict);
    expect(d.state.trackingNumber).toBe(TRACKING);
  });

  it('books the return once: ReturnBooked by the platform; the same number again is a no-op, another a 409', () => {
    const d = deliveryIn('delivered');
    d.requestReturn(BUYER, RETURN_REASON);
    d.markPersisted();
    expectRecorded(d, () => d.returnBooked(RETURN_TRACKING), [
      { type: 'ReturnBooked', returnTrackingNumber: RETURN_TRACKING, actor: 'platform', ...TOLD },
    ]);
    expect(d.state).toMatchObject({ status: 'return-requested', returnTrackingNumber: RETURN_TRACKING, trackingNumber: TRACKING });
    expectNoChange(d, () => d.returnBooked(RETURN_TRACKING));
    expectRefused(d, () => d.returnBooked('RTN-2'), Conflict);
  });
});

describe('the timers', () => {
  const ROUTE_CASES = ROUTES.map((r) => [r.name, r] as const);

  describe('rejectUnanswered (the seller’s response window ended)', () => {
    it.each(ROUTE_CASES)('on a delivery %s', (_, route) => {
      const d = deliveryAt(route);
      if (route.status !== 'pending') {
        expectNoChange(d, () => expect(d.rejectUnanswered()).toBe(route.status));
        return;
      }
      let status: DeliveryStatus | undefined;
      expectRecorded(d, () => (status = d.rejectUnanswered()), [
        { type: 'OrderRejected', actor: 'timer', reason: 'the seller did not answer within the response window', ...TOLD },
      ]);
      expect(status).toBe('rejected');
      expect(d.state).toMatchObject({ status: 'rejected', reason: 'the seller did not answer within the response window' });
      expectNoChange(d, () => expect(d.rejectUnanswered()).toBe('rejected'));
    });
  });

  describe('confirmUnclaimed (the confirmation window ended)', () => {
    it.each(ROUTE_CASES)('on a delivery %s', (_, route) => {
      const d = deliveryAt(route);
      if (route.status !== 'delivered') {
        expectNoChange(d, () => expect(d.confirmUnclaimed()).toBe(route.status));
        return;
      }
      let status: DeliveryStatus | undefined;
      expectRecorded(d, () => (status = d.confirmUnclaimed()), [
        { type: 'DeliveryConfirmed', actor: 'timer', returnLapsed: false, ...TOLD },
      ]);
      expect(status).toBe('confirmed');
      expectNoChange(d, () => expect(d.confirmUnclaimed()).toBe('confirmed'));
    });
  });

  describe('remindToConfirm (once, before the confirmation window ends)', () => {
    it.each(ROUTE_CASES)('on a delivery %s', (_, route) => {
      const d = deliveryAt(route);
      if (route.status !== 'delivered' || d.state.reminderSent) {
        expectNoChange(d, () => expect(d.remindToConfirm()).toBe(false));
        return;
      }
      let sent: boolean | undefined;
      expectRecorded(d, () => (sent = d.remindToConfirm()), [{ type: 'ConfirmationReminderSent', actor: 'timer', ...TOLD }]);
      expect(sent).toBe(true);
      expect(d.state).toMatchObject({ status: 'delivered', reminderSent: true });
      expectNoChange(d, () => expect(d.remindToConfirm()).toBe(false));
    });

    it('leaves a reminded order to be confirmed or returned as before', () => {
      const d = deliveryAt(ROUTES.find((r) => r.name === 'delivered, buyer reminded')!);
      expect(d.confirmUnclaimed()).toBe('confirmed');
    });
  });

  describe('declareLost (the last carrier deadline passed)', () => {
    it.each(ROUTE_CASES)('on a delivery %s', (_, route) => {
      const d = deliveryAt(route);
      if (route.status !== 'accepted' && route.status !== 'shipped') {
        expectNoChange(d, () => d.declareLost());
        return;
      }
      expectRecorded(d, () => d.declareLost(), [{ type: 'PackageLost', actor: 'timer', ...TOLD }]);
      expect(d.state.status).toBe('lost');
      expectNoChange(d, () => d.declareLost());
    });
  });

  describe('settleOverdueReturn (the return’s deadline passed; the carrier’s record decides)', () => {
    const SETTLED: Record<CarrierShipmentStatus, [DeliveryStatus, DeliveryEvent]> = {
      returned: ['returned', { type: 'PackageReturned', actor: 'timer', ...TOLD }],
      delivered: ['returned', { type: 'PackageReturned', actor: 'timer', ...TOLD }],
      booked: ['confirmed', { type: 'DeliveryConfirmed', actor: 'timer', returnLapsed: true, ...TOLD }],
      cancelled: ['confirmed', { type: 'DeliveryConfirmed', actor: 'timer', returnLapsed: true, ...TOLD }],
      shipped: ['lost', { type: 'PackageLost', actor: 'timer', ...TOLD }],
      lost: ['lost', { type: 'PackageLost', actor: 'timer', ...TOLD }],
    };

    it.each(AT_CARRIER)('settles a return-requested delivery the carrier knows as %s', (atCarrier) => {
      const d = deliveryIn('return-requested');
      const [to, event] = SETTLED[atCarrier];
      let status: DeliveryStatus | undefined;
      expectRecorded(d, () => (status = d.settleOverdueReturn(atCarrier, 'delivered')), [event]);
      expect(status).toBe(to);
      expect(d.state.status).toBe(to);
      for (const again of AT_CARRIER) expectNoChange(d, () => expect(d.settleOverdueReturn(again, 'delivered')).toBe(to));
    });

    it.each(ROUTE_CASES.filter(([, r]) => r.status !== 'return-requested'))('changes nothing on a delivery %s', (_, route) => {
      const d = deliveryAt(route);
      for (const atCarrier of AT_CARRIER) expectNoChange(d, () => expect(d.settleOverdueReturn(atCarrier, 'delivered')).toBe(route.status));
    });
  });

  describe('deadlineMissed', () => {
    it('records the first missed deadline: DeliveryDeadlineMissed with its stage, by the timer', () => {
      const d = deliveryIn('accepted');
      expectRecorded(d, () => d.deadlineMissed('shipping', 1), [
        { type: 'DeliveryDeadlineMissed', stage: 'shipping', actor: 'timer', ...TOLD },
      ]);
      expect(d.state).toMatchObject({ missedDeadlines: 1, status: 'accepted' });
    });

    it('records each count once: a retried activity with the same or an older count changes nothing', () => {
      const d = deliveryIn('shipped');
      d.deadlineMissed('delivery', 1);
      d.markPersisted();
      expectNoChange(d, () => d.deadlineMissed('delivery', 1));
      expectNoChange(d, () => d.deadlineMissed('delivery', 0));
      expectRecorded(d, () => d.deadlineMissed('delivery', 2), [
        { type: 'DeliveryDeadlineMissed', stage: 'delivery', actor: 'timer', ...TOLD },
      ]);
      expect(d.state.missedDeadlines).toBe(2);
      expectNoChange(d, () => d.deadlineMissed('delivery', 2));
    });

    it('counts both stages together, as the saga does: a shipping miss then a delivery miss are 1 and 2', () => {
      const d = deliveryIn('accepted');
      d.deadlineMissed('shipping', 1);
      d.apply('package.shipped', TRACKING);
      d.markPersisted();
      expectNoChange(d, () => d.deadlineMissed('delivery', 1));
      expectRecorded(d, () => d.deadlineMissed('delivery', 2), [
        { type: 'DeliveryDeadlineMissed', stage: 'delivery', actor: 'timer', ...TOLD },
      ]);
    });

    it('records a jump in the count as one event, keeping the new count', () => {
      const d = deliveryIn('accepted');
      expectRecorded(d, () => d.deadlineMissed('shipping', 3), [
        { type: 'DeliveryDeadlineMissed', stage: 'shipping', actor: 'timer', ...TOLD },
      ]);
      expect(d.state.missedDeadlines).toBe(3);
    });

    it.each(ROUTE_CASES.filter(([, r]) => r.status !== 'accepted' && r.status !== 'shipped'))(
      'changes nothing on a delivery %s',
      (_, route) => {
        const d = deliveryAt(route);
        expectNoChange(d, () => d.deadlineMissed('delivery', 1));
        expectNoChange(d, () => d.deadlineMissed('shipping', 5));
      },
    );
  });
});

describe('actors', () => {
  /** Who may move the order, by event. */
  const ACTORS: Record<DeliveryEvent['type'], Actor[]> = {
    DeliveryCreated: ['platform'],
    OrderAccepted: ['seller'],
    OrderRejected: ['seller', 'timer'],
    ShipmentBooked: ['platform'],
    OrderCancelled: ['buyer'],
    CancellationTooLate: ['carrier'],
    PackageShipped: ['carrier'],
    PackageDelivered: ['carrier'],
    DeliveryDeadlineMissed: ['timer'],
    ConfirmationReminderSent: ['timer'],
    DeliveryConfirmed: ['buyer', 'timer'],
    ReturnRequested: ['buyer'],
    ReturnBooked: ['platform'],
    PackageReturned: ['carrier', 'timer'],
    PackageLost: ['carrier', 'timer'],
  };

  it('records an actor on every event of every route, one allowed for its type', () => {
    const seen = new Set<string>();
    for (const route of ROUTES) {
      const d = build(route);
      if (route.status === 'accepted' || route.status === 'shipped') d.deadlineMissed('delivery', 1);
      for (const event of d.pendingEvents) {
        expect(ACTORS[event.type], `${route.name}: ${event.type}`).toContain(event.actor);
        seen.add(`${event.type}/${event.actor}`);
      }
    }
    // Every event type and every actor it may carry occurs on some route.
    expect([...seen].sort()).toEqual(
      Object.entries(ACTORS)
        .flatMap(([type, actors]) => actors.map((a) => `${type}/${a}`))
        .sort(),
    );
  });
});

describe('a return that began as a refused cancellation (the parcel may never have reached the buyer)', () => {
  function tooLate(): DeliveryTransaction {
    const d = DeliveryTransaction.create(DELIVERY_ID, PARTIES, ADDRESS);
    d.accept(SELLER);
    d.cancel(BUYER);
    d.booked(TRACKING);
    expect(d.cancelledTooLate()).toBe('return-requested');
    d.returnBooked(RETURN_TRACKING);
    d.markPersisted();
    return d;
  }

  it.each([
    ['package.returned', 'returned', 'PackageReturned'],
    ['package.lost', 'lost', 'PackageLost'],
  ] as const)("takes the outbound parcel's %s as the order's end (%s, refunded)", (event, status, type) => {
    const d = tooLate();
    expectRecorded(d, () => expect(d.apply(event, TRACKING)).toBe(true), [{ type, actor: 'carrier', ...TOLD }]);
    expect(d.state.status).toBe(status);
  });

  it("ignores the outbound parcel's delivery and shipping: the buyer still has to hand it back", () => {
    const d = tooLate();
    expectNoChange(d, () => expect(d.apply('package.delivered', TRACKING)).toBe(false));
    expectNoChange(d, () => expect(d.apply('package.shipped', TRACKING)).toBe(false));
  });

  it.each([
    ['lost', 'lost', ['PackageLost']],
    ['returned', 'returned', ['PackageReturned']],
    ['delivered', 'confirmed', ['PackageDelivered', 'DeliveryConfirmed']],
    ['shipped', 'lost', ['PackageLost']],
    ['booked', 'lost', ['PackageLost']],
  ] as const)('settles an overdue return never handed over, whose parcel the carrier knows as %s: %s (%j)', (outbound, status, events) => {
    const d = tooLate();
    expect(d.settleOverdueReturn('booked', outbound)).toBe(status);
    expect(d.pendingEvents.map((e) => e.type)).toEqual(events);
  });

  it('a normal return (the parcel was delivered) ignores a later outbound lost report', () => {
    const d = DeliveryTransaction.create(DELIVERY_ID, PARTIES, ADDRESS);
    d.accept(SELLER);
    d.booked(TRACKING);
    d.apply('package.delivered', TRACKING);
    d.requestReturn(BUYER, 'too big');
    d.markPersisted();
    expectNoChange(d, () => expect(d.apply('package.lost', TRACKING)).toBe(false));
    expect(d.settleOverdueReturn('booked', 'lost')).toBe('confirmed');
  });

  it('is never made of a cancelled order that was never booked', () => {
    const d = DeliveryTransaction.create(DELIVERY_ID, PARTIES, ADDRESS);
    d.cancel(BUYER);
    d.markPersisted();
    expectNoChange(d, () => expect(d.cancelledTooLate()).toBe('cancelled'));
  });
});
