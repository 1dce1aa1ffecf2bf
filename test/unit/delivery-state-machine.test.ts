/**
 * The delivery transaction's state machine (DeliveryTransaction, src/fulfilment/domain.ts):
 *
 *     pending ──package.shipped──► shipped ──package.delivered──► delivered
 *        │                            ├─────package.returned───► returned
 *        │                            └─────package.lost───────► lost
 *        └── delivered / returned / lost straight away (a carrier may never report `shipped`)
 *
 * - Carrier reports are facts: a repeat, or one arriving after the delivery finished
 *   (delivered, returned, lost), changes nothing and answers false; news answers true.
 * - booked(trackingNumber) records the booking once; the same number again is a no-op,
 *   another one is a 409 (Conflict).
 * - deadlineMissed(stage, missed) records each missed deadline once, by its running count
 *   (shared by both stages, as the saga counts), and nothing once the delivery finished.
 * - Nothing refused or ignored records an event or changes the state.
 */
import { describe, expect, it } from 'vitest';
import {
  DeliveryTransaction,
  type CarrierEventType,
  type DeliveryEvent,
  type DeliveryStatus,
  type Parties,
} from '../../src/fulfilment/domain.ts';
import { Conflict } from '../../src/kernel/errors.ts';
import { expectNoChange as expectNoChangeOf, expectRefusedUnchanged } from '../support/aggregate-expectations.ts';

const DELIVERY_ID = 'delivery-1';
const BUYER = 'buyer-1';
const SELLER = 'seller-1';
const STRANGER = 'someone-else';
const TITLE = 'A brass lamp';
const ADDRESS = 'on file for customer buyer-1';
const TRACKING = 'TRK-1';
const PARTIES: Parties = { auctionId: 'auction-1', buyerId: BUYER, sellerId: SELLER, paymentId: 'payment-1', title: TITLE };
const ALL_STATUSES: DeliveryStatus[] = ['pending', 'shipped', 'delivered', 'returned', 'lost'];
const FINISHED: DeliveryStatus[] = ['delivered', 'returned', 'lost'];
const CARRIER_EVENTS: CarrierEventType[] = ['package.shipped', 'package.delivered', 'package.returned', 'package.lost'];

function created(): DeliveryTransaction {
  return DeliveryTransaction.create(DELIVERY_ID, PARTIES, ADDRESS);
}

/** A delivery booked as TRK-1 and brought to `status` by carrier reports, its events persisted. */
function deliveryIn(status: DeliveryStatus): DeliveryTransaction {
  const d = created();
  d.booked(TRACKING);
  if (status !== 'pending') d.apply('package.shipped');
  if (FINISHED.includes(status)) d.apply(`package.${status}` as CarrierEventType);
  expect(d.state.status).toBe(status);
  d.markPersisted();
  return d;
}

function snapshot(d: DeliveryTransaction) {
  return { ...d.state, version: d.version };
}

const expectNoChange = (d: DeliveryTransaction, act: () => unknown) => expectNoChangeOf(d, snapshot, act);

const expectRefusedWithConflict = (d: DeliveryTransaction, act: () => unknown) => expectRefusedUnchanged(d, snapshot, act, Conflict);

function expectRecorded(d: DeliveryTransaction, act: () => unknown, events: DeliveryEvent[]): void {
  const before = d.version;
  act();
  expect(d.pendingEvents).toEqual(events);
  expect(d.version).toBe(before + events.length);
  d.markPersisted();
}

describe('DeliveryTransaction.create and restore', () => {
  it('creates a pending, unbooked delivery, recording DeliveryCreated with the parties as version 1', () => {
    const d = created();
    expect(d.id).toBe(DELIVERY_ID);
    expect(d.version).toBe(1);
    expect(d.loadedVersion).toBe(0);
    expect(d.pendingEvents).toEqual([{ type: 'DeliveryCreated', address: ADDRESS, ...PARTIES }]);
    expect(d.state).toEqual({ ...PARTIES, address: ADDRESS, status: 'pending', trackingNumber: null, missedDeadlines: 0 });
    expect(d.isFinished()).toBe(false);
  });

  it('restores at the stored version without recording, and continues from it', () => {
    const d = DeliveryTransaction.restore(DELIVERY_ID, 6, { ...deliveryIn('shipped').state });
    expect(d.version).toBe(6);
    expect(d.pendingEvents).toEqual([]);
    expect(d.apply('package.delivered')).toBe(true);
    expect(d.version).toBe(7);
    expect(d.loadedVersion).toBe(6);
  });

  it('counts only the buyer and the seller as parties', () => {
    const d = created();
    expect([BUYER, SELLER, STRANGER].map((c) => d.isParty(c))).toEqual([true, true, false]);
  });

  it.each(ALL_STATUSES)('answers isFinished for %s', (status) => {
    expect(deliveryIn(status).isFinished()).toBe(FINISHED.includes(status));
  });
});

describe('DeliveryTransaction.booked', () => {
  it('records the tracking number once: ShipmentBooked', () => {
    const d = created();
    d.markPersisted();
    expectRecorded(d, () => d.booked(TRACKING), [{ type: 'ShipmentBooked', trackingNumber: TRACKING, buyerId: BUYER, title: TITLE }]);
    expect(d.state).toMatchObject({ trackingNumber: TRACKING, status: 'pending' });
  });

  it.each(ALL_STATUSES)('changes nothing when the same booking is reported again on a %s delivery', (status) => {
    const d = deliveryIn(status);
    expectNoChange(d, () => d.booked(TRACKING));
  });

  it.each(ALL_STATUSES)('refuses another tracking number on a %s delivery (409)', (status) => {
    const d = deliveryIn(status);
    expectRefusedWithConflict(d, () => d.booked('TRK-2'));
    expect(d.state.trackingNumber).toBe(TRACKING);
  });

  it('ships a parcel reported shipped before its booking with an empty tracking number, and books it afterwards', () => {
    const d = created();
    d.markPersisted();
    expectRecorded(d, () => d.apply('package.shipped'), [{ type: 'PackageShipped', trackingNumber: '', buyerId: BUYER, title: TITLE }]);
    expectRecorded(d, () => d.booked(TRACKING), [{ type: 'ShipmentBooked', trackingNumber: TRACKING, buyerId: BUYER, title: TITLE }]);
    expect(d.state).toMatchObject({ status: 'shipped', trackingNumber: TRACKING });
  });
});

describe('DeliveryTransaction.apply (carrier reports)', () => {
  const finishedEvent = (type: 'PackageDelivered' | 'PackageReturned' | 'PackageLost'): DeliveryEvent => ({
    type,
    buyerId: BUYER,
    sellerId: SELLER,
    title: TITLE,
  });

  it('ships a pending delivery: PackageShipped with the tracking number, and answers true', () => {
    const d = deliveryIn('pending');
    let news: boolean | undefined;
    expectRecorded(d, () => (news = d.apply('package.shipped')), [
      { type: 'PackageShipped', trackingNumber: TRACKING, buyerId: BUYER, title: TITLE },
    ]);
    expect(news).toBe(true);
    expect(d.state.status).toBe('shipped');
  });

  it.each([
    ['package.delivered', 'delivered', 'PackageDelivered'],
    ['package.returned', 'returned', 'PackageReturned'],
    ['package.lost', 'lost', 'PackageLost'],
  ] as const)('finishes a shipped delivery on %s: %s, %s, and answers true', (report, status, eventType) => {
    const d = deliveryIn('shipped');
    let news: boolean | undefined;
    expectRecorded(d, () => (news = d.apply(report)), [finishedEvent(eventType)]);
    expect(news).toBe(true);
    expect(d.state.status).toBe(status);
    expect(d.isFinished()).toBe(true);
  });

  /** What each report does in each status: the new status and its event, or `no-op` (answers false). */
  const TABLE: Record<DeliveryStatus, Record<CarrierEventType, [DeliveryStatus, DeliveryEvent['type']] | 'no-op'>> = {
    pending: {
      'package.shipped': ['shipped', 'PackageShipped'],
      'package.delivered': ['delivered', 'PackageDelivered'],
      'package.returned': ['returned', 'PackageReturned'],
      'package.lost': ['lost', 'PackageLost'],
    },
    shipped: {
      'package.shipped': 'no-op',
      'package.delivered': ['delivered', 'PackageDelivered'],
      'package.returned': ['returned', 'PackageReturned'],
      'package.lost': ['lost', 'PackageLost'],
    },
    delivered: { 'package.shipped': 'no-op', 'package.delivered': 'no-op', 'package.returned': 'no-op', 'package.lost': 'no-op' },
    returned: { 'package.shipped': 'no-op', 'package.delivered': 'no-op', 'package.returned': 'no-op', 'package.lost': 'no-op' },
    lost: { 'package.shipped': 'no-op', 'package.delivered': 'no-op', 'package.returned': 'no-op', 'package.lost': 'no-op' },
  };

  describe.each(ALL_STATUSES)('on a %s delivery', (status) => {
    it.each(CARRIER_EVENTS)('%s', (report) => {
      const d = deliveryIn(status);
      const expected = TABLE[status][report];
      if (expected === 'no-op') {
        expectNoChange(d, () => expect(d.apply(report)).toBe(false));
        return;
      }
      const [to, eventType] = expected;
      const before = d.version;
      expect(d.apply(report)).toBe(true);
      expect(d.state.status).toBe(to);
      expect(d.pendingEvents.map((e) => e.type)).toEqual([eventType]);
      expect(d.version).toBe(before + 1);
      d.markPersisted();
      // The same webhook delivered again is not news.
      expectNoChange(d, () => expect(d.apply(report)).toBe(false));
    });
  });

  it('stays finished whatever the carrier reports afterwards, in any order', () => {
    for (const status of FINISHED) {
      const d = deliveryIn(status);
      for (const report of [...CARRIER_EVENTS, ...CARRIER_EVENTS.slice().reverse()]) {
        expectNoChange(d, () => expect(d.apply(report)).toBe(false));
      }
      expect(d.state.status).toBe(status);
    }
  });
});

describe('DeliveryTransaction.deadlineMissed', () => {
  it('records the first missed deadline: DeliveryDeadlineMissed with its stage', () => {
    const d = deliveryIn('pending');
    expectRecorded(d, () => d.deadlineMissed('shipping', 1), [
      { type: 'DeliveryDeadlineMissed', stage: 'shipping', buyerId: BUYER, sellerId: SELLER, title: TITLE },
    ]);
    expect(d.state).toMatchObject({ missedDeadlines: 1, status: 'pending' });
  });

  it('records each count once: a retried activity with the same or an older count changes nothing', () => {
    const d = deliveryIn('shipped');
    d.deadlineMissed('delivery', 1);
    d.markPersisted();
    expectNoChange(d, () => d.deadlineMissed('delivery', 1));
    expectNoChange(d, () => d.deadlineMissed('delivery', 0));
    expectRecorded(d, () => d.deadlineMissed('delivery', 2), [
      { type: 'DeliveryDeadlineMissed', stage: 'delivery', buyerId: BUYER, sellerId: SELLER, title: TITLE },
    ]);
    expect(d.state.missedDeadlines).toBe(2);
    expectNoChange(d, () => d.deadlineMissed('delivery', 2));
  });

  it('counts both stages together, as the saga does: a shipping miss then a delivery miss are 1 and 2', () => {
    const d = deliveryIn('pending');
    d.deadlineMissed('shipping', 1);
    d.apply('package.shipped');
    d.markPersisted();
    expectNoChange(d, () => d.deadlineMissed('delivery', 1));
    expectRecorded(d, () => d.deadlineMissed('delivery', 2), [
      { type: 'DeliveryDeadlineMissed', stage: 'delivery', buyerId: BUYER, sellerId: SELLER, title: TITLE },
    ]);
  });

  it('records a jump in the count as one event, keeping the new count', () => {
    const d = deliveryIn('pending');
    expectRecorded(d, () => d.deadlineMissed('shipping', 3), [
      { type: 'DeliveryDeadlineMissed', stage: 'shipping', buyerId: BUYER, sellerId: SELLER, title: TITLE },
    ]);
    expect(d.state.missedDeadlines).toBe(3);
  });

  it.each(FINISHED)('changes nothing on a %s delivery', (status) => {
    const d = deliveryIn(status);
    expectNoChange(d, () => d.deadlineMissed('delivery', 1));
    expectNoChange(d, () => d.deadlineMissed('shipping', 5));
  });
});
