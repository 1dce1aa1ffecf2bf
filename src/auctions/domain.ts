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
    private readonly current: AuctionState,
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
    return this.current;
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
    return this.current.status === 'open' && now.getTime() < this.current.endsAt.getTime();
  }

  placeBid(bid: { id: string; bidderId: string; amount: Money; now: Date }): void {
    if (!this.isAcceptingBids(bid.now)) throw new Conflict(`auction ${this.id} has ended`);
    if (bid.bidderId === this.current.sellerId) throw new BusinessRuleViolation('sellers cannot bid on their own auction');
    if (bid.amount.currency !== this.current.currentPrice.currency) {
      throw new InvalidInput(`this auction is in ${this.current.currentPrice.currency}`, [
        { path: 'amount.currency', message: `must be ${this.current.currentPrice.currency}` },
      ]);
    }
    if (!bid.amount.isGreaterThan(this.current.currentPrice)) {
      throw new BusinessRuleViolation(`a bid must be above the current price of ${this.current.currentPrice.toString()}`);
    }
    const previousLeader = this.current.leaderId;
    this.current.currentPrice = bid.amount;
    this.current.leaderId = bid.bidderId;
    this.current.bidCount += 1;
    this.#newBids.push({ id: bid.id, bidderId: bid.bidderId, amount: bid.amount, placedAt: bid.now });
    this.record({
      type: 'BidPlaced',
      bidId: bid.id,
      bidderId: bid.bidderId,
      amount: bid.amount.toJSON(),
      placedAt: bid.now.toISOString(),
      sellerId: this.current.sellerId,
      title: this.current.title,
    });
    if (previousLeader && previousLeader !== bid.bidderId) {
      this.record({ type: 'BidderHasBeenOverbid', bidderId: previousLeader, newPrice: bid.amount.toJSON(), title: this.current.title });
    }
  }

  /** The seller may end early; only an open auction can end. */
  assertCanBeEndedBy(customerId: string): void {
    if (customerId !== this.current.sellerId) throw new Forbidden('only the seller can end this auction');
    if (this.current.status !== 'open') throw new Conflict(`auction ${this.id} has already ended`);
  }

  /** Ends the auction; the leader, if any, wins at the current price. Idempotent: ending an ended auction changes nothing. */
  end(): { winnerId: string | null } {
    if (this.current.status === 'open') {
      this.current.status = 'ended';
      this.current.winnerId = this.current.leaderId;
      this.record({
        type: 'AuctionEnded',
        winnerId: this.current.winnerId,
        winningBid: this.current.winnerId ? this.current.currentPrice.toJSON() : null,
        sellerId: this.current.sellerId,
        title: this.current.title,
        fulfilment: this.current.fulfilment,
        endsAt: this.current.endsAt.toISOString(),
      });
    }
    return { winnerId: this.current.winnerId };
  }

  attachPayment(paymentId: string): void {
    if (this.current.paymentId === paymentId) return;
    if (this.current.paymentId) throw new Conflict(`auction ${this.id} already has payment ${this.current.paymentId}`);
    this.current.paymentId = paymentId;
    this.record({ type: 'PaymentAttached', paymentId });
  }

  markPaid(): void {
    if (this.current.status === 'paid') return;
    this.requireWinnerAndStatus('ended', 'paid');
    this.current.status = 'paid';
    this.record({ type: 'AuctionPaid', winnerId: this.current.winnerId!, sellerId: this.current.sellerId, title: this.current.title });
  }

  markUnpaid(): void {
    if (this.current.status === 'unpaid') return;
    this.requireWinnerAndStatus('ended', 'unpaid');
    this.current.status = 'unpaid';
    this.record({ type: 'AuctionUnpaid', winnerId: this.current.winnerId!, sellerId: this.current.sellerId, title: this.current.title });
  }

  attachFulfilment(kind: Fulfilment, fulfilmentId: string): void {
    const current = kind === 'delivery' ? this.current.deliveryId : this.current.serviceId;
    if (current === fulfilmentId) return;
    if (current) throw new Conflict(`auction ${this.id} already has a ${kind} transaction`);
    if (kind === 'delivery') this.current.deliveryId = fulfilmentId;
    else this.current.serviceId = fulfilmentId;
    this.record({ type: 'FulfilmentAttached', kind, fulfilmentId });
  }

  markRefunded(): void {
    if (this.current.status === 'refunded') return;
    this.requireWinnerAndStatus('paid', 'refunded');
    this.current.status = 'refunded';
    this.record({ type: 'AuctionRefunded', winnerId: this.current.winnerId!, sellerId: this.current.sellerId, title: this.current.title });
  }

  private requireWinnerAndStatus(expected: AuctionStatus, target: AuctionStatus): void {
    if (this.current.status !== expected || !this.current.winnerId) {
      throw new Conflict(`auction ${this.id} is ${this.current.status}; it cannot become ${target}`);
    }
  }
}
