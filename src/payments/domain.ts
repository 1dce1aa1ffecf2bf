import { Aggregate } from '../kernel/aggregate.ts';
import { Conflict, Forbidden } from '../kernel/errors.ts';
import type { Money, MoneyJson } from '../kernel/money.ts';

export type PaymentStatus = 'new' | 'charged' | 'captured' | 'failed' | 'timed_out' | 'refunded' | 'cancelled';

export type PaymentEvent =
  | { type: 'PaymentStarted'; auctionId: string; payerId: string; payeeId: string; amount: MoneyJson; title: string }
  | { type: 'ChargeRequested'; attempt: number; payerId: string }
  | { type: 'PaymentCharged'; providerChargeId: string }
  | {
      type: 'PaymentCaptured';
      providerChargeId: string;
      auctionId: string;
      payerId: string;
      payeeId: string;
      amount: MoneyJson;
      title: string;
    }
  | { type: 'PaymentFailed'; reason: string; auctionId: string; payerId: string; title: string }
  | { type: 'PaymentCancelled'; auctionId: string }
  | { type: 'PaymentRefunded'; auctionId: string; payerId: string; amount: MoneyJson; title: string };

export interface PaymentState {
  auctionId: string;
  payerId: string;
  payeeId: string;
  amount: Money;
  title: string;
  status: PaymentStatus;
  attempts: number;
  providerChargeId: string | null;
}

/**
 * Paying for one won auction (seed 001 PaymentsFacade). The payer may try again after a
 * failure until the window closes; provider events are applied idempotently, since
 * webhooks repeat and may arrive out of order (a late `charged` after `captured`).
 */
export class Payment extends Aggregate<PaymentEvent> {
  private constructor(
    id: string,
    version: number,
    private readonly s: PaymentState,
  ) {
    super(id, version);
  }

  static start(input: { id: string; auctionId: string; payerId: string; payeeId: string; amount: Money; title: string }): Payment {
    const payment = new Payment(input.id, 0, { ...input, status: 'new', attempts: 0, providerChargeId: null });
    payment.record({
      type: 'PaymentStarted',
      auctionId: input.auctionId,
      payerId: input.payerId,
      payeeId: input.payeeId,
      amount: input.amount.toJSON(),
      title: input.title,
    });
    return payment;
  }

  static restore(id: string, version: number, state: PaymentState): Payment {
    return new Payment(id, version, state);
  }

  get state(): Readonly<PaymentState> {
    return this.s;
  }

  isParty(customerId: string): boolean {
    return customerId === this.s.payerId || customerId === this.s.payeeId;
  }

  /** The payer asks to charge a card: allowed while nothing is charged yet, or after a failure. Returns the attempt number. */
  requestCharge(payerId: string): number {
    if (payerId !== this.s.payerId) throw new Forbidden('only the payer can pay');
    if (this.s.status !== 'new' && this.s.status !== 'failed') throw new Conflict(`payment ${this.id} is ${this.s.status}`);
    this.s.attempts += 1;
    this.record({ type: 'ChargeRequested', attempt: this.s.attempts, payerId });
    return this.s.attempts;
  }

  markCharged(providerChargeId: string): void {
    if (this.s.status !== 'new' && this.s.status !== 'failed') return; // late or repeated
    this.s.status = 'charged';
    this.s.providerChargeId = providerChargeId;
    this.record({ type: 'PaymentCharged', providerChargeId });
  }

  markCaptured(providerChargeId: string): void {
    if (this.s.status === 'captured' || this.s.status === 'refunded') return;
    if (this.s.status === 'cancelled' || this.s.status === 'timed_out') {
      throw new Conflict(`payment ${this.id} was ${this.s.status} before the provider captured it`);
    }
    this.s.status = 'captured';
    this.s.providerChargeId = providerChargeId;
    const { auctionId, payerId, payeeId, amount, title } = this.s;
    this.record({ type: 'PaymentCaptured', providerChargeId, auctionId, payerId, payeeId, amount: amount.toJSON(), title });
  }

  markFailed(reason: string): void {
    if (this.s.status !== 'new' && this.s.status !== 'charged') return;
    this.s.status = 'failed';
    this.record({ type: 'PaymentFailed', reason, auctionId: this.s.auctionId, payerId: this.s.payerId, title: this.s.title });
  }

  /** The window elapsed (or the saga was cancelled) before capture. Idempotent; a captured payment is refunded instead. */
  cancel(): void {
    if (this.s.status === 'cancelled') return;
    if (this.s.status === 'captured' || this.s.status === 'refunded')
      throw new Conflict(`payment ${this.id} is ${this.s.status}; refund it instead`);
    this.s.status = 'cancelled';
    this.record({ type: 'PaymentCancelled', auctionId: this.s.auctionId });
  }

  markRefunded(): void {
    if (this.s.status === 'refunded') return;
    if (this.s.status !== 'captured') throw new Conflict(`payment ${this.id} is ${this.s.status}; only a captured payment is refunded`);
    this.s.status = 'refunded';
    this.record({
      type: 'PaymentRefunded',
      auctionId: this.s.auctionId,
      payerId: this.s.payerId,
      amount: this.s.amount.toJSON(),
      title: this.s.title,
    });
  }
}
