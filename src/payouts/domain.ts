import { assertBalanced, type LedgerEntry, type Posting } from '../accounting/domain.ts';
import { Aggregate } from '../kernel/aggregate.ts';
import { Money, type Currency, type MoneyJson } from '../kernel/money.ts';

/**
 * A seller's payout for one sold auction. It is scheduled when the sale is final (the
 * buyer confirmed the delivery, or the voucher was redeemed or expired), so no refund can
 * follow it: every refund path ends an order before confirmation. It is paid once,
 * `SETTLEMENT_DELAY` later.
 *
 * In the ledger (accounts per currency, names that no customer's account can take):
 * - scheduling books the sale: what the buyer paid for the seller's share leaves
 *   `external:card-payments:<cur>` (the provider holds it for us) into the seller's
 *   `earnings:<cur>:<sellerId>` (net) and `platform:fees:<cur>` (the fee);
 * - paying moves the net from the seller's earnings to `external:payouts:<cur>`.
 * So for every sold auction: refunds + fee + net = what was captured.
 */
export type PayoutStatus = 'scheduled' | 'paid';

export type PayoutEvent =
  | {
      type: 'PayoutScheduled';
      auctionId: string;
      sellerId: string;
      title: string;
      gross: MoneyJson;
      fee: MoneyJson;
      net: MoneyJson;
      payableAt: string;
      actor: 'platform';
    }
  | { type: 'PayoutPaid'; auctionId: string; sellerId: string; title: string; net: MoneyJson; actor: 'timer' };

export interface PayoutState {
  auctionId: string;
  sellerId: string;
  title: string;
  gross: Money;
  fee: Money;
  net: Money;
  status: PayoutStatus;
  payableAt: Date;
  paidAt: Date | null;
}

/** The platform's fee in basis points of a percentage (`5%` → 500, `2.5%` → 250). */
export type FeeBasisPoints = number;

/** The fee kept from `gross`: `feeBasisPoints` of it, rounded half up to the currency's precision. */
export function platformFee(gross: Money, feeBasisPoints: FeeBasisPoints): Money {
  return Money.fromMinorUnits((gross.minorUnits * BigInt(feeBasisPoints) + 5_000n) / 10_000n, gross.currency);
}

export const cardPaymentsAccount = (currency: Currency) => `external:card-payments:${currency}`;
export const payoutsAccount = (currency: Currency) => `external:payouts:${currency}`;
export const feesAccount = (currency: Currency) => `platform:fees:${currency}`;
export const earningsAccount = (currency: Currency, sellerId: string) => `earnings:${currency}:${sellerId}`;

export class Payout extends Aggregate<PayoutEvent> {
  #postings: Posting[] = [];

  private constructor(
    id: string,
    version: number,
    private readonly current: PayoutState,
  ) {
    super(id, version);
  }

  /** Schedules the seller's payout of `gross` less the fee, and books the sale. */
  static schedule(input: {
    id: string;
    auctionId: string;
    sellerId: string;
    title: string;
    gross: Money;
    feeBasisPoints: FeeBasisPoints;
    payableAt: Date;
  }): Payout {
    const fee = platformFee(input.gross, input.feeBasisPoints);
    const net = input.gross.subtract(fee);
    const { auctionId, sellerId, title, gross, payableAt } = input;
    const payout = new Payout(input.id, 0, { auctionId, sellerId, title, gross, fee, net, status: 'scheduled', payableAt, paidAt: null });
    const currency = input.gross.currency;
    payout.post(input.id, 'sale', input.auctionId, currency, [
      { accountId: cardPaymentsAccount(currency), amount: -input.gross.minorUnits },
      { accountId: earningsAccount(currency, input.sellerId), amount: net.minorUnits },
      { accountId: feesAccount(currency), amount: fee.minorUnits },
    ]);
    payout.record({
      type: 'PayoutScheduled',
      auctionId: input.auctionId,
      sellerId: input.sellerId,
      title: input.title,
      gross: input.gross.toJSON(),
      fee: fee.toJSON(),
      net: net.toJSON(),
      payableAt: input.payableAt.toISOString(),
      actor: 'platform',
    });
    return payout;
  }

  static restore(id: string, version: number, state: PayoutState): Payout {
    return new Payout(id, version, state);
  }

  get state(): Readonly<PayoutState> {
    return this.current;
  }

  /** Pays the seller, once: a repeat is a no-op. `postingId` names the payout's posting (fresh per call; only the first is kept). */
  pay(postingId: string, now: Date): void {
    if (this.current.status === 'paid') return;
    const { net, sellerId, auctionId, title } = this.current;
    this.post(postingId, 'payout', this.id, net.currency, [
      { accountId: earningsAccount(net.currency, sellerId), amount: -net.minorUnits },
      { accountId: payoutsAccount(net.currency), amount: net.minorUnits },
    ]);
    this.current.status = 'paid';
    this.current.paidAt = now;
    this.record({ type: 'PayoutPaid', auctionId, sellerId, title, net: net.toJSON(), actor: 'timer' });
  }

  /** For the repository: the postings to write with this change. */
  unsavedPostings(): readonly Posting[] {
    return this.#postings;
  }

  override markPersisted(): void {
    super.markPersisted();
    this.#postings = [];
  }

  /** Books a posting; entries of zero (no fee, or nothing left for the seller) are left out, and nothing at all is left is no posting. */
  private post(id: string, kind: Posting['kind'], reference: string, currency: Currency, entries: LedgerEntry[]): void {
    const nonZero = entries.filter((e) => e.amount !== 0n);
    if (nonZero.length < 2) return;
    const posting: Posting = { id, kind, reference, currency, entries: nonZero };
    assertBalanced(posting);
    this.#postings.push(posting);
  }
}
