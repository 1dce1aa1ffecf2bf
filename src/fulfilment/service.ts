import { Aggregate } from '../kernel/aggregate.ts';
import { BusinessRuleViolation, Conflict, Forbidden } from '../kernel/errors.ts';
import { Money } from '../kernel/money.ts';
import type { Actor, Parties } from './parties.ts';

/**
 * An e-voucher (seed 000's service transaction):
 *
 *     issued ──redeem (buyer, before expiry)──────────► redeemed   the seller is paid
 *        ├────cancel (buyer, within the cancel window)► cancelled  the buyer is refunded in full
 *        └────validity ends unused (timer)────────────► expired    90% back to the buyer, the rest to the seller
 *
 * One versioned row decides each race (redeem against expiry, redeem against cancel):
 * the first write wins, the other finds the new state (409).
 */
export const SERVICE_STATUSES = ['issued', 'redeemed', 'cancelled', 'expired'] as const;
export type ServiceStatus = (typeof SERVICE_STATUSES)[number];

type Told = { buyerId: string; sellerId: string; title: string };

/** The code is the buyer's secret (docs/design.md, property 12): it lives on the service transaction, never in its events. */
export type ServiceEvent =
  | ({ type: 'VoucherIssued'; actor: Actor } & Parties)
  | ({ type: 'VoucherRedeemed'; actor: 'buyer' } & Told)
  | ({ type: 'VoucherCancelled'; actor: 'buyer' } & Told)
  | ({ type: 'VoucherExpired'; actor: 'timer' } & Told);

export interface ServiceState extends Parties {
  code: string;
  status: ServiceStatus;
  issuedAt: Date;
  /** Issued by a saga older than voucher expiry: it cannot be cancelled (nothing would refund it). */
  startedBeforeOrders: boolean;
}

/** The rules of time a voucher lives by (VOUCHER_VALIDITY, VOUCHER_CANCEL_WINDOW). */
export interface VoucherTerms {
  validityMs: number;
  cancelWindowMs: number;
}

/** What an expired, unused voucher gives back to its buyer: 90% of the price, rounded half up. */
export function expiredVoucherRefund(price: Money): Money {
  return Money.fromMinorUnits((price.minorUnits * 9n + 5n) / 10n, price.currency);
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
  static issue(id: string, parties: Parties, code: string, issuedAt: Date): ServiceTransaction {
    const service = new ServiceTransaction(id, 0, { ...parties, code, status: 'issued', issuedAt, startedBeforeOrders: false });
    service.record({ type: 'VoucherIssued', ...parties, actor: 'platform' });
    return service;
  }

  static restore(id: string, version: number, state: ServiceState): ServiceTransaction {
    return new ServiceTransaction(id, version, state);
  }

  get state(): Readonly<ServiceState> {
    return this.current;
  }

  /** The buyer uses the voucher, once (again: 409), and never after its validity. */
  redeem(customerId: string, now: Date, terms: VoucherTerms): void {
    this.assertBuyer(customerId, 'redeem');
    this.assertIssued('redeemed');
    if (now.getTime() >= this.current.issuedAt.getTime() + terms.validityMs) {
      throw new Conflict(`voucher ${this.id} has expired`);
    }
    this.current.status = 'redeemed';
    this.record({ type: 'VoucherRedeemed', actor: 'buyer', ...this.told() });
  }

  /** The buyer cancels an unused voucher within the cancel window (later: 422); a repeat is a no-op. */
  cancel(customerId: string, now: Date, terms: VoucherTerms): void {
    this.assertBuyer(customerId, 'cancel');
    if (this.current.startedBeforeOrders) throw new Conflict(`voucher ${this.id} was issued before vouchers could be cancelled`);
    if (this.current.status === 'cancelled') return;
    this.assertIssued('cancelled');
    if (now.getTime() >= this.current.issuedAt.getTime() + terms.cancelWindowMs) {
      throw new BusinessRuleViolation(`voucher ${this.id} can no longer be cancelled: its cancel window has passed`);
    }
    this.current.status = 'cancelled';
    this.record({ type: 'VoucherCancelled', actor: 'buyer', ...this.told() });
  }

  /** The validity ended: an unused voucher expires. Returns the voucher's status, which decides the saga's next step. */
  expire(): ServiceStatus {
    if (this.current.status !== 'issued') return this.current.status;
    this.current.status = 'expired';
    this.record({ type: 'VoucherExpired', actor: 'timer', ...this.told() });
    return 'expired';
  }

  private assertBuyer(customerId: string, action: string): void {
    if (customerId !== this.current.buyerId) throw new Forbidden(`only the buyer can ${action} this voucher`);
  }

  private assertIssued(target: ServiceStatus): void {
    if (this.current.status !== 'issued') {
      throw new Conflict(`voucher ${this.id} is ${this.current.status}; only an issued voucher can be ${target}`);
    }
  }

  private told(): Told {
    return { buyerId: this.current.buyerId, sellerId: this.current.sellerId, title: this.current.title };
  }
}
