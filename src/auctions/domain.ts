import { Aggregate } from '../kernel/aggregate.ts';
import { BusinessRuleViolation, Conflict, Forbidden, InvalidInput } from '../kernel/errors.ts';
import { Money, type MoneyJson } from '../kernel/money.ts';

export type Fulfilment = 'delivery' | 'service';
export type AuctionStatus = 'open' | 'ended' | 'paid' | 'refunded' | 'unpaid' | 'cancelled';

export type AuctionEvent =
  | { type: 'AuctionCreated'; sellerId: string; title: string; startingPrice: MoneyJson; endsAt: string; fulfilment: Fulfilment }
  | { type: 'BidPlaced'; bidId: string; bidderId: string; amount: MoneyJson; placedAt: string; sellerId: string; title: string }
  | { type: 'BidderHasBeenOverbid'; bidderId: string; newPrice: MoneyJson; title: string }
  | {
      type: 'AuctionEnded';
      winnerId: string | null;
      winningBid: MoneyJson | null;
      sellerId: string;
      title: string;
      fulfilment: Fulfilment;
      endsAt: string;
    }
  | { type: 'PaymentAttached'; paymentId: string }
  | { type: 'AuctionPaid'; winnerId: string; sellerId: string; title: string }
  | { type: 'AuctionUnpaid'; winnerId: string; sellerId: string; title: string }
  | { type: 'FulfilmentAttached'; kind: Fulfilment; fulfilmentId: string }
  | { type: 'AuctionRefunded'; winnerId: string; sellerId: string; title: string };

/** A bid not yet stored; the repository inserts these when it writes the auction. */
export interface NewBid {
  id: string;
  bidderId: string;
  amount: Money;
  placedAt: Date;
}

export interface AuctionState {
  sellerId: string;
  title: string;
  startingPrice: Money;
  currentPrice: Money;
  leaderId: string | null;
  bidCount: number;
  endsAt: Date;
  fulfilment: Fulfilment;
  status: AuctionStatus;
  winnerId: string | null;
  paymentId: string | null;
  deliveryId: string | null;
  serviceId: string | null;
}

export const MAX_TITLE = 200;

/**
 * An auction (seed 001): bids only go up, in the auction's currency, from anyone but the
 * seller, while it is open. The aggregate keeps the price and the leader, not every
 * bid: new bids are handed to the repository to append, so a hot auction with thousands
 * of bids loads as fast as a quiet one.
 */
export class Auction extends Aggregate<AuctionEvent> {
  #newBids: NewBid[] = [];

  private constructor(
    id: string,
    version: number,
    private readonly s: AuctionState,
  ) {
    super(id, version);
  }

  static create(input: {
    id: string;
    sellerId: string;
    title: string;
    startingPrice: Money;
    endsAt: Date;
    fulfilment: Fulfilment;
    now: Date;
  }): Auction {
    const title = input.title.trim();
    if (title.length === 0 || title.length > MAX_TITLE) {
      throw new InvalidInput('title has the wrong length', [{ path: 'title', message: `must be 1 to ${MAX_TITLE} characters` }]);
    }
    if (input.endsAt.getTime() <= input.now.getTime()) {
      throw new InvalidInput('endsAt is in the past', [{ path: 'endsAt', message: 'must be in the future' }]);
    }
    const auction = new Auction(input.id, 0, {
      sellerId: input.sellerId,
      title,
      startingPrice: input.startingPrice,
      currentPrice: input.startingPrice,
      leaderId: null,
      bidCount: 0,
      endsAt: input.endsAt,
      fulfilment: input.fulfilment,
      status: 'open',
      winnerId: null,
      paymentId: null,
      deliveryId: null,
      serviceId: null,
    });
    auction.record({
      type: 'AuctionCreated',
      sellerId: input.sellerId,
      title,
      startingPrice: input.startingPrice.toJSON(),
      endsAt: input.endsAt.toISOString(),
      fulfilment: input.fulfilment,
    });
    return auction;
  }

  static restore(id: string, version: number, state: AuctionState): Auction {
    return new Auction(id, version, state);
  }

  get state(): Readonly<AuctionState> {
    return this.s;
  }

  get newBids(): readonly NewBid[] {
    return this.#newBids;
  }

  override markPersisted(): void {
    super.markPersisted();
    this.#newBids = [];
  }

  /** Open and not yet past its end: the closing timer may lag, the clock does not. */
  isAcceptingBids(now: Date): boolean {
    return this.s.status === 'open' && now.getTime() < this.s.endsAt.getTime();
  }

  placeBid(bid: { id: string; bidderId: string; amount: Money; now: Date }): void {
    if (!this.isAcceptingBids(bid.now)) throw new Conflict(`auction ${this.id} has ended`);
    if (bid.bidderId === this.s.sellerId) throw new BusinessRuleViolation('sellers cannot bid on their own auction');
    if (bid.amount.currency !== this.s.currentPrice.currency) {
      throw new InvalidInput(`this auction is in ${this.s.currentPrice.currency}`, [
        { path: 'amount.currency', message: `must be ${this.s.currentPrice.currency}` },
      ]);
    }
    if (!bid.amount.isGreaterThan(this.s.currentPrice)) {
      throw new BusinessRuleViolation(`a bid must be above the current price of ${this.s.currentPrice.toString()}`);
    }
    const previousLeader = this.s.leaderId;
    this.s.currentPrice = bid.amount;
    this.s.leaderId = bid.bidderId;
    this.s.bidCount += 1;
    this.#newBids.push({ id: bid.id, bidderId: bid.bidderId, amount: bid.amount, placedAt: bid.now });
    this.record({
      type: 'BidPlaced',
      bidId: bid.id,
      bidderId: bid.bidderId,
      amount: bid.amount.toJSON(),
      placedAt: bid.now.toISOString(),
      sellerId: this.s.sellerId,
      title: this.s.title,
    });
    if (previousLeader && previousLeader !== bid.bidderId) {
      this.record({ type: 'BidderHasBeenOverbid', bidderId: previousLeader, newPrice: bid.amount.toJSON(), title: this.s.title });
    }
  }

  /** The seller may end early; only an open auction can end. */
  assertCanBeEndedBy(customerId: string): void {
    if (customerId !== this.s.sellerId) throw new Forbidden('only the seller can end this auction');
    if (this.s.status !== 'open') throw new Conflict(`auction ${this.id} has already ended`);
  }

  /** Ends the auction; the leader, if any, wins at the current price. Idempotent: ending an ended auction changes nothing. */
  end(): { winnerId: string | null } {
    if (this.s.status === 'open') {
      this.s.status = 'ended';
      this.s.winnerId = this.s.leaderId;
      this.record({
        type: 'AuctionEnded',
        winnerId: this.s.winnerId,
        winningBid: this.s.winnerId ? this.s.currentPrice.toJSON() : null,
        sellerId: this.s.sellerId,
        title: this.s.title,
        fulfilment: this.s.fulfilment,
        endsAt: this.s.endsAt.toISOString(),
      });
    }
    return { winnerId: this.s.winnerId };
  }

  attachPayment(paymentId: string): void {
    if (this.s.paymentId === paymentId) return;
    if (this.s.paymentId) throw new Conflict(`auction ${this.id} already has payment ${this.s.paymentId}`);
    this.s.paymentId = paymentId;
    this.record({ type: 'PaymentAttached', paymentId });
  }

  markPaid(): void {
    if (this.s.status === 'paid') return;
    this.requireWinnerAndStatus('ended', 'paid');
    this.s.status = 'paid';
    this.record({ type: 'AuctionPaid', winnerId: this.s.winnerId!, sellerId: this.s.sellerId, title: this.s.title });
  }

  markUnpaid(): void {
    if (this.s.status === 'unpaid') return;
    this.requireWinnerAndStatus('ended', 'unpaid');
    this.s.status = 'unpaid';
    this.record({ type: 'AuctionUnpaid', winnerId: this.s.winnerId!, sellerId: this.s.sellerId, title: this.s.title });
  }

  attachFulfilment(kind: Fulfilment, fulfilmentId: string): void {
    const current = kind === 'delivery' ? this.s.deliveryId : this.s.serviceId;
    if (current === fulfilmentId) return;
    if (current) throw new Conflict(`auction ${this.id} already has a ${kind} transaction`);
    if (kind === 'delivery') this.s.deliveryId = fulfilmentId;
    else this.s.serviceId = fulfilmentId;
    this.record({ type: 'FulfilmentAttached', kind, fulfilmentId });
  }

  markRefunded(): void {
    if (this.s.status === 'refunded') return;
    this.requireWinnerAndStatus('paid', 'refunded');
    this.s.status = 'refunded';
    this.record({ type: 'AuctionRefunded', winnerId: this.s.winnerId!, sellerId: this.s.sellerId, title: this.s.title });
  }

  private requireWinnerAndStatus(expected: AuctionStatus, target: AuctionStatus): void {
    if (this.s.status !== expected || !this.s.winnerId) {
      throw new Conflict(`auction ${this.id} is ${this.s.status}; it cannot become ${target}`);
    }
  }
}
