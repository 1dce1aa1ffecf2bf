import { Aggregate } from '../kernel/aggregate.ts';
import { BusinessRuleViolation, Conflict, Forbidden } from '../kernel/errors.ts';
import { Money, type MoneyJson } from '../kernel/money.ts';

/**
 * `charging`: an attempt is at the provider; `charged`: the provider took the card and
 * will capture. Only `new` and `failed` accept a new attempt, so a payment has at most
 * one charge in flight (docs/design.md, property 11).
 */
export type PaymentStatus = 'new' | 'charging' | 'charged' | 'captured' | 'failed' | 'refunded' | 'cancelled';

/** Why a capture is refunded instead of kept: it came after the window closed, or a second charge was captured. */
export type UnwantedCaptureReason = 'after-window' | 'second-capture';

type Parties = { auctionId: string; payerId: string; title: string };

export type PaymentEvent =
  | { type: 'PaymentStarted'; auctionId: string; payerId: string; payeeId: string; amount: MoneyJson; title: string; payableUntil: string }
  | { type: 'ChargeRequested'; attempt: number; payerId: string }
  | { type: 'PaymentCharged'; providerChargeId: string }
  | ({ type: 'PaymentCaptured'; providerChargeId: string; payeeId: string; amount: MoneyJson } & Parties)
  | ({ type: 'PaymentFailed'; attempt: number; reason: string } & Parties)
  | { type: 'PaymentCancelled'; auctionId: string }
  | ({ type: 'UnwantedCaptureRecorded'; providerChargeId: string; amount: MoneyJson; reason: UnwantedCaptureReason } & Parties)
  | ({ type: 'PaymentRefunded'; providerChargeId: string; refundId: string; amount: MoneyJson; refunded: MoneyJson } & Parties);

export interface PaymentState {
  auctionId: string;
  payerId: string;
  payeeId: string;
  amount: Money;
  title: string;
  status: PaymentStatus;
  /** Attempts requested so far; the newest is the one in flight while `charging`/`charged`. */
  attempts: number;
  /** After this instant no new attempt is accepted (the saga closes the window on its timer). */
  payableUntil: Date;
  /** The charge that pays for the item, once the provider reported one (charged or captured). */
  providerChargeId: string | null;
  /** Everything the provider captured for this payment, unwanted captures included. */
  captured: Money;
  /** Everything the provider refunded for this payment. */
  refunded: Money;
  /** Captures that are not kept (late, or a second charge): each refunded once. */
  unwantedChargeIds: string[];
  /** Refunds already counted, so a repeated report counts once. */
  refundIds: string[];
  /** Charges of attempts that failed: a late report about one of them never lands on a later attempt. */
  failedChargeIds: string[];
}

/**
 * Paying for one won auction (seed 001 PaymentsFacade), as a state machine:
 *
 *     new ──requestCharge──► charging ──charged──► charged ──captured──► captured ──refund──► refunded
 *      ▲                        │  └──────────captured──────────────────────▲
 *      └──── failed ◄──refused / declined─┘
 *     new/charging/charged/failed ──closeWindow──► cancelled ──late capture, then refund──► refunded
 *
 * Provider reports are facts: each is applied once (a repeat changes nothing) and none is
 * refused because the payment moved on. A capture that cannot be kept (after the window,
 * or a second charge) is recorded as unwanted, which refunds it.
 */
export class Payment extends Aggregate<PaymentEvent> {
  private constructor(
    id: string,
    version: number,
    private readonly current: PaymentState,
  ) {
    super(id, version);
  }

  static start(input: {
    id: string;
    auctionId: string;
    payerId: string;
    payeeId: string;
    amount: Money;
    title: string;
    payableUntil: Date;
  }): Payment {
    const zero = Money.zero(input.amount.currency);
    const payment = new Payment(input.id, 0, {
      ...input,
      status: 'new',
      attempts: 0,
      providerChargeId: null,
      captured: zero,
      refunded: zero,
      unwantedChargeIds: [],
      refundIds: [],
      failedChargeIds: [],
    });
    payment.record({
      type: 'PaymentStarted',
      auctionId: input.auctionId,
      payerId: input.payerId,
      payeeId: input.payeeId,
      amount: input.amount.toJSON(),
      title: input.title,
      payableUntil: input.payableUntil.toISOString(),
    });
    return payment;
  }

  static restore(id: string, version: number, state: PaymentState): Payment {
    return new Payment(id, version, state);
  }

  get state(): Readonly<PaymentState> {
    return this.current;
  }

  isParty(customerId: string): boolean {
    return customerId === this.current.payerId || customerId === this.current.payeeId;
  }

  /**
   * The payer asks to charge a card. Refused while an attempt is in flight or the item is
   * paid (409), and once the window has closed or the attempts are used up (422).
   * Returns the new attempt's number.
   */
  requestCharge(payerId: string, now: Date, maxAttempts: number): number {
    const s = this.current;
    if (payerId !== s.payerId) throw new Forbidden('only the payer can pay');
    if (s.status === 'charging' || s.status === 'charged') {
      throw new Conflict(`payment ${this.id} has attempt ${s.attempts} at the provider; wait for its outcome`);
    }
    if (s.status === 'captured' || s.status === 'refunded') throw new Conflict(`payment ${this.id} is ${s.status}`);
    if (s.status === 'cancelled' || now.getTime() >= s.payableUntil.getTime()) {
      throw new BusinessRuleViolation(`the payment window of payment ${this.id} has closed`);
    }
    if (s.attempts >= maxAttempts) throw new BusinessRuleViolation(`payment ${this.id} has used all ${maxAttempts} charge attempts`);
    s.attempts += 1;
    s.status = 'charging';
    s.providerChargeId = null;
    this.record({ type: 'ChargeRequested', attempt: s.attempts, payerId });
    return s.attempts;
  }

  /**
   * Guards the call to the provider: only the attempt in flight is charged, never one
   * decided or compensated. `charged` still counts: a retried call gets the same charge back.
   */
  assertAttemptInFlight(attempt: number): void {
    const inFlight = this.current.status === 'charging' || this.current.status === 'charged';
    if (!inFlight || this.current.attempts !== attempt) {
      throw new Conflict(`attempt ${attempt} of payment ${this.id} is no longer in flight (payment ${this.current.status})`);
    }
  }

  /** The provider refused the attempt outright (an unknown card, say): it failed, the payer may try again. */
  failAttempt(attempt: number, reason: string): void {
    if (this.current.status !== 'charging' || this.current.attempts !== attempt) return; // already decided
    this.fail(reason);
  }

  markCharged(providerChargeId: string): void {
    if (this.current.status !== 'charging') return; // late or repeated
    if (this.current.failedChargeIds.includes(providerChargeId)) return; // an earlier attempt's charge
    this.current.status = 'charged';
    this.current.providerChargeId = providerChargeId;
    this.record({ type: 'PaymentCharged', providerChargeId });
  }

  markFailed(providerChargeId: string, reason: string): void {
    const s = this.current;
    if (s.status !== 'charging' && s.status !== 'charged') return; // late or repeated
    if (s.providerChargeId !== null && s.providerChargeId !== providerChargeId) return; // another attempt's charge
    if (s.failedChargeIds.includes(providerChargeId)) return; // an earlier attempt's charge, reported again
    s.failedChargeIds.push(providerChargeId);
    this.fail(reason);
  }

  /**
   * The provider captured a charge. While the window is open it pays for the item. A
   * capture of a cancelled payment, or of a second charge, is unwanted: recorded once,
   * to be refunded. A repeat of a capture already counted changes nothing.
   */
  markCaptured(providerChargeId: string, amount: Money): void {
    const s = this.current;
    if (providerChargeId === s.providerChargeId && (s.status === 'captured' || s.status === 'refunded')) return;
    if (s.unwantedChargeIds.includes(providerChargeId)) return;
    s.captured = s.captured.add(amount);
    if (s.status === 'new' || s.status === 'charging' || s.status === 'charged' || s.status === 'failed') {
      s.status = 'captured';
      s.providerChargeId = providerChargeId;
      const { auctionId, payerId, payeeId, title } = s;
      this.record({ type: 'PaymentCaptured', providerChargeId, auctionId, payerId, payeeId, amount: amount.toJSON(), title });
      return;
    }
    s.unwantedChargeIds.push(providerChargeId);
    const reason: UnwantedCaptureReason = s.status === 'cancelled' ? 'after-window' : 'second-capture';
    this.record({ type: 'UnwantedCaptureRecorded', providerChargeId, amount: amount.toJSON(), reason, ...this.parties() });
  }

  /**
   * The payment window's end. A payment the provider already captured stays paid (the
   * capture was recorded before the window closed); any other is cancelled. Idempotent.
   */
  closeWindow(): 'captured' | 'cancelled' {
    const s = this.current;
    if (s.status === 'captured') return 'captured';
    if (s.status === 'refunded') {
      const paidForItem = s.providerChargeId !== null && !s.unwantedChargeIds.includes(s.providerChargeId);
      return paidForItem ? 'captured' : 'cancelled';
    }
    if (s.status === 'cancelled') return 'cancelled';
    s.status = 'cancelled';
    s.providerChargeId = null; // no charge paid for the item: a capture from now on is unwanted
    this.record({ type: 'PaymentCancelled', auctionId: s.auctionId });
    return 'cancelled';
  }

  /**
   * The provider refunded (part of) a charge of ours. Counted once per refund id. The
   * payment is `refunded` when the charge that paid for the item is refunded, or when
   * the unwanted capture of a cancelled payment is.
   */
  markRefunded(providerChargeId: string, refundId: string, amount: Money): void {
    const s = this.current;
    if (s.refundIds.includes(refundId)) return;
    const paidForItem = providerChargeId === s.providerChargeId && (s.status === 'captured' || s.status === 'refunded');
    const unwanted = s.unwantedChargeIds.includes(providerChargeId);
    if (!paidForItem && !unwanted) return; // a charge we never counted: there is nothing of ours to give back
    const refunded = s.refunded.add(amount); // refuses another currency before anything changes
    s.refundIds.push(refundId);
    s.refunded = refunded;
    if (paidForItem || s.status === 'cancelled') s.status = 'refunded';
    this.record({
      type: 'PaymentRefunded',
      providerChargeId,
      refundId,
      amount: amount.toJSON(),
      refunded: s.refunded.toJSON(),
      ...this.parties(),
    });
  }

  private fail(reason: string): void {
    this.current.status = 'failed';
    this.record({ type: 'PaymentFailed', attempt: this.current.attempts, reason, ...this.parties() });
  }

  private parties(): Parties {
    return { auctionId: this.current.auctionId, payerId: this.current.payerId, title: this.current.title };
  }
}
