import { Aggregate } from '../kernel/aggregate.ts';
import { Conflict, Forbidden } from '../kernel/errors.ts';
import type { Actor, Parties } from './parties.ts';

/**
 * A shipped order (seed 000's delivery transaction), from payment to its end:
 *
 *     pending ──accept──► accepted ──shipped──► shipped ──delivered──► delivered ──confirm──► confirmed
 *        │                   │                     │                     │
 *        ├─reject / silence  ├─cancel (buyer)      ├─returned, lost      └─return claim──► return-requested
 *        ▼                   ▼                     ▼                                         │
 *     rejected            cancelled          returned / lost ◄── return arrives / is lost ──┘
 *
 * Every transition is decided here, on one versioned row, so each race (cancel against
 * ship, confirm against return, accept against the window's end) has one winner: the
 * write that lands first; the other finds the new state and is refused (409) or, for a
 * fact from outside, ignored. Repeating the transition that made the current state is a
 * no-op, so a retried request succeeds once.
 */
export const DELIVERY_STATUSES = [
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
] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
export type CarrierEventType = 'package.shipped' | 'package.delivered' | 'package.returned' | 'package.lost';
/** What the carrier knows of a shipment, when asked. */
export type CarrierShipmentStatus = 'booked' | 'shipped' | 'delivered' | 'returned' | 'lost' | 'cancelled';

type Told = { buyerId: string; sellerId: string; title: string };

export type DeliveryEvent =
  | ({ type: 'DeliveryCreated'; address: string; actor: Actor } & Parties)
  | ({ type: 'OrderAccepted'; actor: 'seller' } & Told)
  | ({ type: 'OrderRejected'; actor: 'seller' | 'timer'; reason: string } & Told)
  | ({ type: 'ShipmentBooked'; trackingNumber: string; actor: Actor } & Told)
  | ({ type: 'OrderCancelled'; actor: 'buyer' } & Told)
  | ({ type: 'CancellationTooLate'; actor: 'carrier' } & Told)
  | ({ type: 'PackageShipped'; trackingNumber: string; actor: 'carrier' } & Told)
  | ({ type: 'PackageDelivered'; actor: 'carrier' } & Told)
  | ({ type: 'DeliveryDeadlineMissed'; stage: 'shipping' | 'delivery'; actor: 'timer' } & Told)
  | ({ type: 'ConfirmationReminderSent'; actor: 'timer' } & Told)
  | ({ type: 'DeliveryConfirmed'; actor: 'buyer' | 'timer'; returnLapsed: boolean } & Told)
  | ({ type: 'ReturnRequested'; actor: 'buyer'; reason: string } & Told)
  | ({ type: 'ReturnBooked'; returnTrackingNumber: string; actor: Actor } & Told)
  | ({ type: 'PackageReturned'; actor: 'carrier' | 'timer' } & Told)
  | ({ type: 'PackageLost'; actor: 'carrier' | 'timer' } & Told);

export interface DeliveryState extends Parties {
  address: string;
  status: DeliveryStatus;
  trackingNumber: string | null;
  returnTrackingNumber: string | null;
  /** The seller's reason for a rejection, or the buyer's for a return. */
  reason: string | null;
  missedDeadlines: number;
  reminderSent: boolean;
  /** Made by a saga older than the order after payment: none of the parties' moves apply to it. */
  startedBeforeOrders: boolean;
}

/** The reason of a return that began as a cancellation the carrier refused: its parcel may never have reached the buyer. */
const CANCELLED_TOO_LATE = 'the parcel had left before the cancellation reached the carrier';

const FINISHED: readonly DeliveryStatus[] = ['confirmed', 'returned', 'lost', 'rejected', 'cancelled'];
/** Where the outbound parcel can still be: booked or under way. */
const UNDER_WAY: readonly DeliveryStatus[] = ['accepted', 'shipped'];

export class DeliveryTransaction extends Aggregate<DeliveryEvent> {
  private constructor(
    id: string,
    version: number,
    private readonly current: DeliveryState,
  ) {
    super(id, version);
  }

  static create(id: string, parties: Parties, address: string): DeliveryTransaction {
    const delivery = new DeliveryTransaction(id, 0, {
      ...parties,
      address,
      status: 'pending',
      trackingNumber: null,
      returnTrackingNumber: null,
      reason: null,
      missedDeadlines: 0,
      reminderSent: false,
      startedBeforeOrders: false,
    });
    delivery.record({ type: 'DeliveryCreated', address, ...parties, actor: 'platform' });
    return delivery;
  }

  static restore(id: string, version: number, state: DeliveryState): DeliveryTransaction {
    return new DeliveryTransaction(id, version, state);
  }

  get state(): Readonly<DeliveryState> {
    return this.current;
  }

  isParty(customerId: string): boolean {
    return customerId === this.current.buyerId || customerId === this.current.sellerId;
  }

  isFinished(): boolean {
    return FINISHED.includes(this.current.status);
  }

  /** The seller takes the paid order; the saga books the carrier next. */
  accept(customerId: string): void {
    this.assertActor(customerId, 'seller', 'accept');
    if (this.unchanged('accepted')) return;
    this.assertStatus('pending', 'accepted');
    this.move('accepted');
    this.record({ type: 'OrderAccepted', actor: 'seller', ...this.told() });
  }

  /** The seller turns the paid order down; the buyer is refunded in full. */
  reject(customerId: string, reason: string): void {
    this.assertActor(customerId, 'seller', 'reject');
    if (this.unchanged('rejected')) return;
    this.assertStatus('pending', 'rejected');
    this.rejectBecause('seller', reason);
  }

  /** The seller's response window ended: silence is a rejection, unless the seller answered first. */
  rejectUnanswered(): DeliveryStatus {
    if (this.current.status === 'pending') this.rejectBecause('timer', 'the seller did not answer within the response window');
    return this.current.status;
  }

  /**
   * Checks the buyer may cancel now, changing nothing, and names the booking to cancel at
   * the carrier first (null: none yet). The carrier is the one who knows whether the
   * parcel has left, so a booked order is cancelled there before it is cancelled here.
   */
  assertCancellable(customerId: string): { bookedAs: string | null } {
    this.assertActor(customerId, 'buyer', 'cancel');
    if (this.unchanged('cancelled')) return { bookedAs: null };
    if (this.current.status !== 'pending' && this.current.status !== 'accepted') {
      throw new Conflict(`delivery ${this.id} is ${this.current.status}; an order can be cancelled only before it ships`);
    }
    return { bookedAs: this.current.trackingNumber };
  }

  /** The buyer cancels before the parcel ships (`assertCancellable`); afterwards it is too late (409). */
  cancel(customerId: string): void {
    this.assertCancellable(customerId);
    if (this.unchanged('cancelled')) return;
    this.move('cancelled');
    this.record({ type: 'OrderCancelled', actor: 'buyer', ...this.told() });
  }

  /**
   * The carrier refused to cancel the booking: the parcel left while the cancellation was
   * on its way (the booking was still being recorded when the buyer cancelled). It is not
   * refunded while the buyer may hold it: it comes back as a return, refunded on arrival.
   */
  cancelledTooLate(): DeliveryStatus {
    if (this.current.status !== 'cancelled' || this.current.trackingNumber === null) return this.current.status;
    this.move('return-requested');
    this.current.reason = CANCELLED_TOO_LATE;
    this.record({ type: 'CancellationTooLate', actor: 'carrier', ...this.told() });
    return this.current.status;
  }

  /**
   * The carrier's booking. A delivery cancelled meanwhile still records it, so the saga
   * can cancel the booking it names. A booking made by a saga older than the seller's
   * response (it booked at once) is that saga's acceptance.
   */
  booked(trackingNumber: string): void {
    if (this.current.trackingNumber === trackingNumber) return;
    if (this.current.trackingNumber) throw new Conflict(`delivery ${this.id} is already booked as ${this.current.trackingNumber}`);
    this.current.trackingNumber = trackingNumber;
    if (this.current.status === 'pending') this.move('accepted');
    this.record({ type: 'ShipmentBooked', trackingNumber, actor: 'platform', ...this.told() });
  }

  /**
   * Applies what the carrier reports of the outbound parcel or of the return, told apart
   * by tracking number. Repeats, late arrivals and reports about other parcels change
   * nothing: a duplicated webhook, or `shipped` after `delivered`, is not news. Returns
   * whether it was.
   */
  apply(event: CarrierEventType, trackingNumber?: string): boolean {
    const s = this.current;
    if (trackingNumber !== undefined && trackingNumber === s.returnTrackingNumber) return this.applyToReturn(event);
    const outbound = trackingNumber === undefined || s.trackingNumber === null || trackingNumber === s.trackingNumber;
    if (outbound && this.isReturnOfUndeliveredParcel() && (event === 'package.returned' || event === 'package.lost')) {
      return this.applyToReturn(event); // the parcel came back, or was lost, before it reached the buyer
    }
    if (!outbound || !UNDER_WAY.includes(s.status)) return false;
    switch (event) {
      case 'package.shipped':
        if (s.status !== 'accepted') return false;
        this.move('shipped');
        this.record({ type: 'PackageShipped', trackingNumber: s.trackingNumber ?? '', actor: 'carrier', ...this.told() });
        return true;
      case 'package.delivered':
        this.move('delivered');
        this.record({ type: 'PackageDelivered', actor: 'carrier', ...this.told() });
        return true;
      case 'package.returned':
        this.move('returned');
        this.record({ type: 'PackageReturned', actor: 'carrier', ...this.told() });
        return true;
      case 'package.lost':
        this.move('lost');
        this.record({ type: 'PackageLost', actor: 'carrier', ...this.told() });
        return true;
    }
  }

  /** A carrier deadline passed without news; `missed` counts them, so a retried activity records each once. */
  deadlineMissed(stage: 'shipping' | 'delivery', missed: number): void {
    if (this.current.missedDeadlines >= missed || !UNDER_WAY.includes(this.current.status)) return;
    this.current.missedDeadlines = missed;
    this.record({ type: 'DeliveryDeadlineMissed', stage, actor: 'timer', ...this.told() });
  }

  /** The last carrier deadline passed: a parcel still under way is lost (the saga asked the carrier first). */
  declareLost(): void {
    if (!UNDER_WAY.includes(this.current.status)) return;
    this.move('lost');
    this.record({ type: 'PackageLost', actor: 'timer', ...this.told() });
  }

  /** Reminds the buyer, once, that a delivered order confirms itself soon. Returns whether it did. */
  remindToConfirm(): boolean {
    if (this.current.status !== 'delivered' || this.current.reminderSent) return false;
    this.current.reminderSent = true;
    this.record({ type: 'ConfirmationReminderSent', actor: 'timer', ...this.told() });
    return true;
  }

  /** The buyer confirms receipt: the seller's payout is scheduled. */
  confirm(customerId: string): void {
    this.assertActor(customerId, 'buyer', 'confirm');
    if (this.unchanged('confirmed')) return;
    this.assertStatus('delivered', 'confirmed');
    this.confirmBy('buyer', false);
  }

  /** The confirmation window ended: a delivered order nobody claimed back is confirmed. */
  confirmUnclaimed(): DeliveryStatus {
    if (this.current.status === 'delivered') this.confirmBy('timer', false);
    return this.current.status;
  }

  /** The buyer sends the item back, after delivery and before confirmation. */
  requestReturn(customerId: string, reason: string): void {
    this.assertActor(customerId, 'buyer', 'return');
    if (this.unchanged('return-requested')) return;
    this.assertStatus('delivered', 'return-requested');
    this.move('return-requested');
    this.current.reason = reason;
    this.record({ type: 'ReturnRequested', actor: 'buyer', reason, ...this.told() });
  }

  /** The carrier's booking of the return; the same number again is a no-op. */
  returnBooked(returnTrackingNumber: string): void {
    if (this.current.returnTrackingNumber === returnTrackingNumber) return;
    if (this.current.returnTrackingNumber) throw new Conflict(`delivery ${this.id}'s return is already booked`);
    this.current.returnTrackingNumber = returnTrackingNumber;
    this.record({ type: 'ReturnBooked', returnTrackingNumber, actor: 'platform', ...this.told() });
  }

  /**
   * The return's deadline passed without a report: the carrier's own record decides. A
   * return that arrived is returned; one lost on the way is lost (the buyer refunded);
   * one the buyer never handed over lapses (the order is confirmed and the seller paid),
   * but only if the buyer had the parcel: a return that began as a refused cancellation
   * follows its outbound parcel, which may have come back, been lost, or never arrived
   * (lost, refunded); its arrival, if the carrier knows of it, is recorded first.
   */
  settleOverdueReturn(atCarrier: CarrierShipmentStatus, outboundAtCarrier: CarrierShipmentStatus): DeliveryStatus {
    if (this.current.status !== 'return-requested') return this.current.status;
    const neverHandedOver = atCarrier === 'booked' || atCarrier === 'cancelled';
    const undelivered = this.isReturnOfUndeliveredParcel();
    if (atCarrier === 'returned' || atCarrier === 'delivered' || (undelivered && outboundAtCarrier === 'returned')) {
      this.move('returned');
      this.record({ type: 'PackageReturned', actor: 'timer', ...this.told() });
    } else if (neverHandedOver && (!undelivered || outboundAtCarrier === 'delivered')) {
      if (undelivered) this.record({ type: 'PackageDelivered', actor: 'carrier', ...this.told() });
      this.confirmBy('timer', true);
    } else {
      this.move('lost');
      this.record({ type: 'PackageLost', actor: 'timer', ...this.told() });
    }
    return this.current.status;
  }

  /** A return that began as a refused cancellation: until the buyer hands it over, the outbound parcel's fate is the order's. */
  private isReturnOfUndeliveredParcel(): boolean {
    return this.current.status === 'return-requested' && this.current.reason === CANCELLED_TOO_LATE;
  }

  private applyToReturn(event: CarrierEventType): boolean {
    if (this.current.status !== 'return-requested') return false;
    if (event === 'package.returned' || event === 'package.delivered') {
      this.move('returned');
      this.record({ type: 'PackageReturned', actor: 'carrier', ...this.told() });
      return true;
    }
    if (event === 'package.lost') {
      this.move('lost');
      this.record({ type: 'PackageLost', actor: 'carrier', ...this.told() });
      return true;
    }
    return false; // the return's `shipped` is no news to the order
  }

  private rejectBecause(actor: 'seller' | 'timer', reason: string): void {
    this.move('rejected');
    this.current.reason = reason;
    this.record({ type: 'OrderRejected', actor, reason, ...this.told() });
  }

  private confirmBy(actor: 'buyer' | 'timer', returnLapsed: boolean): void {
    this.move('confirmed');
    this.record({ type: 'DeliveryConfirmed', actor, returnLapsed, ...this.told() });
  }

  /**
   * Every order route has one rightful actor; anyone else, party or not, is refused (403)
   * whatever the state. An order from before these moves existed takes none (409): its
   * saga would never act on them.
   */
  private assertActor(customerId: string, role: 'buyer' | 'seller', action: string): void {
    const rightful = role === 'buyer' ? this.current.buyerId : this.current.sellerId;
    if (customerId !== rightful) throw new Forbidden(`only the ${role} can ${action} this order`);
    if (this.current.startedBeforeOrders) {
      throw new Conflict(`delivery ${this.id} was placed before these order moves existed; its saga would not act on "${action}"`);
    }
  }

  private unchanged(target: DeliveryStatus): boolean {
    return this.current.status === target;
  }

  private assertStatus(expected: DeliveryStatus, target: DeliveryStatus): void {
    if (this.current.status !== expected) {
      throw new Conflict(`delivery ${this.id} is ${this.current.status}; only a ${expected} order can become ${target}`);
    }
  }

  private move(status: DeliveryStatus): void {
    this.current.status = status;
  }

  private told(): Told {
    return { buyerId: this.current.buyerId, sellerId: this.current.sellerId, title: this.current.title };
  }
}
