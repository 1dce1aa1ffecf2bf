import { Aggregate } from '../kernel/aggregate.ts';
import { Conflict, Forbidden } from '../kernel/errors.ts';

/**
 * Seed 000's two kinds of business transaction, kept apart on purpose: goods that are
 * shipped, and services (e-vouchers) that are not. Two aggregates with their own
 * tables, never one with optional delivery fields, so each can be locked and versioned
 * on its own and neither carries the other's states.
 */
export interface Parties {
  auctionId: string;
  buyerId: string;
  sellerId: string;
  paymentId: string;
  title: string;
}

export type DeliveryStatus = 'pending' | 'shipped' | 'delivered' | 'returned' | 'lost';
export type CarrierEventType = 'package.shipped' | 'package.delivered' | 'package.returned' | 'package.lost';

export type DeliveryEvent =
  | ({ type: 'DeliveryCreated'; address: string } & Parties)
  | { type: 'ShipmentBooked'; trackingNumber: string; buyerId: string; title: string }
  | { type: 'PackageShipped'; trackingNumber: string; buyerId: string; title: string }
  | { type: 'PackageDelivered'; buyerId: string; sellerId: string; title: string }
  | { type: 'DeliveryDeadlineMissed'; stage: 'shipping' | 'delivery'; buyerId: string; sellerId: string; title: string }
  | { type: 'PackageReturned'; buyerId: string; sellerId: string; title: string }
  | { type: 'PackageLost'; buyerId: string; sellerId: string; title: string };

export interface DeliveryState extends Parties {
  address: string;
  status: DeliveryStatus;
  trackingNumber: string | null;
  missedDeadlines: number;
}

export class DeliveryTransaction extends Aggregate<DeliveryEvent> {
  private constructor(
    id: string,
    version: number,
    private readonly current: DeliveryState,
  ) {
    super(id, version);
  }

  static create(id: string, parties: Parties, address: string): DeliveryTransaction {
    const delivery = new DeliveryTransaction(id, 0, { ...parties, address, status: 'pending', trackingNumber: null, missedDeadlines: 0 });
    delivery.record({ type: 'DeliveryCreated', address, ...parties });
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
    return this.current.status === 'delivered' || this.current.status === 'returned' || this.current.status === 'lost';
  }

  booked(trackingNumber: string): void {
    if (this.current.trackingNumber === trackingNumber) return;
    if (this.current.trackingNumber) throw new Conflict(`delivery ${this.id} is already booked as ${this.current.trackingNumber}`);
    this.current.trackingNumber = trackingNumber;
    this.record({ type: 'ShipmentBooked', trackingNumber, buyerId: this.current.buyerId, title: this.current.title });
  }

  /**
   * Applies what the carrier reports. Repeats and late arrivals change nothing: a
   * duplicated webhook, or `shipped` after `delivered`, is not news. Returns whether it was.
   */
  apply(event: CarrierEventType): boolean {
    const { buyerId, sellerId, title } = this.current;
    if (this.isFinished()) return false;
    switch (event) {
      case 'package.shipped':
        if (this.current.status !== 'pending') return false;
        this.current.status = 'shipped';
        this.record({ type: 'PackageShipped', trackingNumber: this.current.trackingNumber ?? '', buyerId, title });
        return true;
      case 'package.delivered':
        this.current.status = 'delivered';
        this.record({ type: 'PackageDelivered', buyerId, sellerId, title });
        return true;
      case 'package.returned':
        this.current.status = 'returned';
        this.record({ type: 'PackageReturned', buyerId, sellerId, title });
        return true;
      case 'package.lost':
        this.current.status = 'lost';
        this.record({ type: 'PackageLost', buyerId, sellerId, title });
        return true;
    }
  }

  /** A carrier deadline passed without news; `missed` counts them, so a retried activity records each once. */
  deadlineMissed(stage: 'shipping' | 'delivery', missed: number): void {
    if (this.current.missedDeadlines >= missed || this.isFinished()) return;
    this.current.missedDeadlines = missed;
    this.record({
      type: 'DeliveryDeadlineMissed',
      stage,
      buyerId: this.current.buyerId,
      sellerId: this.current.sellerId,
      title: this.current.title,
    });
  }
}

export type ServiceStatus = 'issued' | 'redeemed';

/** The code is the buyer's secret (docs/design.md, property 12): it lives on the service transaction, never in its events. */
export type ServiceEvent = ({ type: 'VoucherIssued' } & Parties) | { type: 'VoucherRedeemed'; buyerId: string; title: string };

export interface ServiceState extends Parties {
  code: string;
  status: ServiceStatus;
}

export class ServiceTransaction extends Aggregate<ServiceEvent> {
  private constructor(
    id: string,
    version: number,
    private readonly current: ServiceState,
  ) {
    super(id, version);
  }

  /** Issues the voucher; the code is chosen once, here, and stored with it. */
  static issue(id: string, parties: Parties, code: string): ServiceTransaction {
    const service = new ServiceTransaction(id, 0, { ...parties, code, status: 'issued' });
    service.record({ type: 'VoucherIssued', ...parties });
    return service;
  }

  static restore(id: string, version: number, state: ServiceState): ServiceTransaction {
    return new ServiceTransaction(id, version, state);
  }

  get state(): Readonly<ServiceState> {
    return this.current;
  }

  redeem(customerId: string): void {
    if (customerId !== this.current.buyerId) throw new Forbidden('only the buyer can redeem this voucher');
    if (this.current.status === 'redeemed') throw new Conflict(`voucher ${this.id} was already redeemed`);
    this.current.status = 'redeemed';
    this.record({ type: 'VoucherRedeemed', buyerId: this.current.buyerId, title: this.current.title });
  }
}
