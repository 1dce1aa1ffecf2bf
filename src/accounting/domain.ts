import { Aggregate } from '../kernel/aggregate.ts';
import { BusinessRuleViolation, Conflict, Forbidden, InvalidInput } from '../kernel/errors.ts';
import { Money, type Currency, type MoneyJson } from '../kernel/money.ts';

/**
 * Accounting (seed 003): one satoshi account per customer, over a double-entry ledger.
 *
 * - An account's id is its owner's customer id; the first deposit opens it.
 * - Every movement of money is a `Posting` whose entries sum to zero. Deposits come in
 *   from the system account `external:lightning`; withdrawals go back out to it. Entries are
 *   signed: positive credits an account, negative debits it.
 * - `balance` is the sum of the account's entries, kept on the account row for fast reads.
 * - `reserved` is money promised to withdrawals in flight; `available = balance - reserved`
 *   never goes below zero. A reservation (keyed by its withdrawal) is settled (paid out:
 *   reserved and balance both drop, with a withdrawal posting) or released (reserved drops).
 */
export const ACCOUNT_CURRENCY = 'SAT' as const;
/** Where satoshis come from and go to: the lightning network, outside our books. */
export const LIGHTNING_ACCOUNT = 'external:lightning';
/** An amount in satoshis from its minor units, as rows and webhooks carry them. */
export const satoshis = (minor: string | number | bigint) => Money.fromMinorUnits(BigInt(minor), ACCOUNT_CURRENCY);
/**
 * Ledger accounts that belong to no customer (the lightning network, campaign escrows)
 * are named under these prefixes; a customer whose id happens to start so gets no SAT
 * account, so a customer's balance can never mix with a system account's entries.
 */
const SYSTEM_ACCOUNT_PREFIXES = ['external:', 'escrow:', 'earnings:', 'platform:'] as const;
export const isSystemAccountId = (id: string) => SYSTEM_ACCOUNT_PREFIXES.some((prefix) => id.startsWith(prefix));

export type ReservationStatus = 'held' | 'settled' | 'released' | 'refused';

export interface Reservation {
  id: string;
  amount: Money;
  status: ReservationStatus;
}

export interface LedgerEntry {
  accountId: string;
  /** Signed satoshis: positive credits, negative debits. */
  amount: bigint;
}

/**
 * What a posting records: money in or out over lightning, a transfer between customers,
 * a donation into a campaign's escrow, its refund, the escrow released to the owner, a
 * confirmed sale (the buyer's card money split into the seller's earnings and the
 * platform's fee) or a seller's payout of those earnings.
 */
export type PostingKind = 'deposit' | 'withdrawal' | 'transfer' | 'donation' | 'donation-refund' | 'escrow-release' | 'sale' | 'payout';

export interface Posting {
  id: string;
  kind: PostingKind;
  reference: string;
  entries: LedgerEntry[];
  /** SAT unless said: a sale and a seller's payout are in the auction's currency. */
  currency?: Currency;
}

export type AccountEvent =
  | { type: 'AccountOpened'; ownerId: string; currency: 'SAT' }
  | { type: 'FundsDeposited'; ownerId: string; postingId: string; amount: MoneyJson; balance: MoneyJson }
  | { type: 'FundsReserved'; ownerId: string; reservationId: string; amount: MoneyJson; available: MoneyJson }
  | { type: 'FundsReservationRefused'; ownerId: string; reservationId: string; amount: MoneyJson; available: MoneyJson }
  | { type: 'ReservationSettled'; ownerId: string; reservationId: string; postingId: string; amount: MoneyJson; balance: MoneyJson }
  | { type: 'ReservationReleased'; ownerId: string; reservationId: string; amount: MoneyJson; available: MoneyJson }
  | { type: 'FundsDebited'; ownerId: string; postingId: string; kind: PostingKind; amount: MoneyJson; balance: MoneyJson }
  | { type: 'FundsCredited'; ownerId: string; postingId: string; kind: PostingKind; amount: MoneyJson; balance: MoneyJson };

export interface AccountState {
  ownerId: string;
  balance: Money;
  reserved: Money;
}

/** Checks the double-entry rule: a posting has entries, none zero, summing to zero. Pure. */
export function assertBalanced(posting: Posting): void {
  if (posting.entries.length < 2) throw new InvalidInput(`posting ${posting.id} needs at least two entries`);
  if (posting.entries.some((e) => e.amount === 0n)) throw new InvalidInput(`posting ${posting.id} has an entry of zero`);
  const sum = posting.entries.reduce((total, e) => total + e.amount, 0n);
  if (sum !== 0n) throw new InvalidInput(`posting ${posting.id} does not balance: entries sum to ${sum}`);
}

/** A transfer of `amount` from one account to another, as a balanced posting. */
export function transfer(input: {
  id: string;
  kind: Posting['kind'];
  reference: string;
  from: string;
  to: string;
  amount: Money;
}): Posting {
  const posting: Posting = {
    id: input.id,
    kind: input.kind,
    reference: input.reference,
    entries: [
      { accountId: input.from, amount: -input.amount.minorUnits },
      { accountId: input.to, amount: input.amount.minorUnits },
    ],
  };
  assertBalanced(posting);
  return posting;
}

export class Account extends Aggregate<AccountEvent> {
  /** Reservations loaded or made in this unit of work, by id. */
  readonly #reservations = new Map<string, Reservation>();
  readonly #changedReservations = new Set<string>();
  readonly #newReservations = new Set<string>();
  #newPostings: Posting[] = [];

  private constructor(
    id: string,
    version: number,
    private readonly current: AccountState,
  ) {
    super(id, version);
  }

  /** A new, empty account for a customer; its id is the customer's id. */
  static open(ownerId: string): Account {
    if (isSystemAccountId(ownerId)) throw new Forbidden(`"${ownerId}" names a system account; it cannot be a customer's`);
    const account = new Account(ownerId, 0, { ownerId, balance: Money.zero(ACCOUNT_CURRENCY), reserved: Money.zero(ACCOUNT_CURRENCY) });
    account.record({ type: 'AccountOpened', ownerId, currency: ACCOUNT_CURRENCY });
    return account;
  }

  static restore(id: string, version: number, state: AccountState, reservations: Reservation[] = []): Account {
    const account = new Account(id, version, state);
    for (const r of reservations) account.#reservations.set(r.id, r);
    return account;
  }

  get state(): Readonly<AccountState> {
    return this.current;
  }

  get available(): Money {
    return this.current.balance.subtract(this.current.reserved);
  }

  reservation(id: string): Readonly<Reservation> | undefined {
    return this.#reservations.get(id);
  }

  /** Credits a deposit (from the lightning network) to this account. */
  deposit(postingId: string, amount: Money): void {
    assertSat(amount);
    if (amount.isZero())
      throw new InvalidInput('a deposit must be more than zero', [{ path: 'amount.amount', message: 'must be more than zero' }]);
    const balance = this.current.balance.add(amount); // refuses an overflow before anything changes
    this.#newPostings.push(
      transfer({ id: postingId, kind: 'deposit', reference: postingId, from: LIGHTNING_ACCOUNT, to: this.id, amount }),
    );
    this.current.balance = balance;
    this.record({
      type: 'FundsDeposited',
      ownerId: this.current.ownerId,
      postingId,
      amount: amount.toJSON(),
      balance: this.current.balance.toJSON(),
    });
  }

  /**
   * Holds `amount` for a withdrawal if that much is available; otherwise records the
   * refusal and holds nothing. Idempotent per reservation id: a repeat returns the first
   * answer (the reservation must have been loaded with the account).
   */
  reserve(reservationId: string, amount: Money): { reserved: boolean } {
    assertSat(amount);
    const existing = this.#reservations.get(reservationId);
    if (existing) {
      if (!existing.amount.equals(amount)) throw new Conflict(`reservation ${reservationId} exists for ${existing.amount}, not ${amount}`);
      return { reserved: existing.status !== 'refused' };
    }
    if (amount.isZero()) throw new InvalidInput('a reservation must be more than zero');
    const fits = !amount.isGreaterThan(this.available);
    const reservation: Reservation = { id: reservationId, amount, status: fits ? 'held' : 'refused' };
    this.#reservations.set(reservationId, reservation);
    this.#newReservations.add(reservationId);
    if (!fits) {
      this.record({
        type: 'FundsReservationRefused',
        ownerId: this.current.ownerId,
        reservationId,
        amount: amount.toJSON(),
        available: this.available.toJSON(),
      });
      return { reserved: false };
    }
    this.current.reserved = this.current.reserved.add(amount);
    this.record({
      type: 'FundsReserved',
      ownerId: this.current.ownerId,
      reservationId,
      amount: amount.toJSON(),
      available: this.available.toJSON(),
    });
    return { reserved: true };
  }

  /** Pays out a held reservation: reserved and balance drop by it, with a withdrawal posting. Idempotent. */
  settle(reservationId: string, postingId: string): void {
    const r = this.requireReservation(reservationId);
    if (r.status === 'settled') return;
    if (r.status !== 'held') throw new Conflict(`reservation ${reservationId} is ${r.status}; only held funds are paid out`);
    this.#newPostings.push(
      transfer({ id: postingId, kind: 'withdrawal', reference: reservationId, from: this.id, to: LIGHTNING_ACCOUNT, amount: r.amount }),
    );
    this.current.reserved = this.current.reserved.subtract(r.amount);
    this.current.balance = this.current.balance.subtract(r.amount);
    this.change(r, 'settled');
    this.record({
      type: 'ReservationSettled',
      ownerId: this.current.ownerId,
      reservationId,
      postingId,
      amount: r.amount.toJSON(),
      balance: this.current.balance.toJSON(),
    });
  }

  /** Gives held funds back to `available`. Idempotent; a no-op for a refused or settled one. */
  release(reservationId: string): { released: boolean } {
    const r = this.#reservations.get(reservationId);
    if (!r || r.status !== 'held') return { released: false };
    this.current.reserved = this.current.reserved.subtract(r.amount);
    this.change(r, 'released');
    this.record({
      type: 'ReservationReleased',
      ownerId: this.current.ownerId,
      reservationId,
      amount: r.amount.toJSON(),
      available: this.available.toJSON(),
    });
    return { released: true };
  }

  /**
   * Takes this account's side of a posting another use case made (a transfer, a donation,
   * a refund): the posting itself is recorded once, by that use case. A debit must fit
   * `available`, so reserved funds are never spent twice and no balance goes negative.
   */
  apply(posting: Posting): void {
    const entry = posting.entries.find((e) => e.accountId === this.id);
    if (!entry) throw new Conflict(`posting ${posting.id} does not touch account ${this.id}`);
    const amount = Money.fromMinorUnits(entry.amount < 0n ? -entry.amount : entry.amount, ACCOUNT_CURRENCY);
    if (entry.amount < 0n) {
      if (amount.isGreaterThan(this.available)) {
        throw new InsufficientFunds(`${amount} is more than the ${this.available} available in account ${this.id}`);
      }
      this.current.balance = this.current.balance.subtract(amount);
    } else {
      this.current.balance = this.current.balance.add(amount);
    }
    this.record({
      type: entry.amount < 0n ? 'FundsDebited' : 'FundsCredited',
      ownerId: this.current.ownerId,
      postingId: posting.id,
      kind: posting.kind,
      amount: amount.toJSON(),
      balance: this.current.balance.toJSON(),
    });
  }

  /** For the repository: what to write besides the row. */
  unsavedChanges(): { newReservations: Reservation[]; changedReservations: Reservation[]; postings: Posting[] } {
    const pick = (ids: Set<string>) => [...ids].map((id) => this.#reservations.get(id)!);
    const changes = {
      newReservations: pick(this.#newReservations),
      changedReservations: pick(new Set([...this.#changedReservations].filter((id) => !this.#newReservations.has(id)))),
      postings: this.#newPostings,
    };
    return changes;
  }

  override markPersisted(): void {
    super.markPersisted();
    this.#newReservations.clear();
    this.#changedReservations.clear();
    this.#newPostings = [];
  }

  private requireReservation(id: string): Reservation {
    const r = this.#reservations.get(id);
    if (!r) throw new Conflict(`account ${this.id} holds no reservation ${id}`);
    return r;
  }

  private change(r: Reservation, status: ReservationStatus): void {
    r.status = status;
    this.#changedReservations.add(r.id);
  }
}

/** A debit larger than what the account has available (422). */
export class InsufficientFunds extends BusinessRuleViolation {}

function assertSat(amount: Money): void {
  if (amount.currency !== ACCOUNT_CURRENCY) {
    throw new InvalidInput(`accounts hold ${ACCOUNT_CURRENCY}, not ${amount.currency}`, [
      { path: 'amount.currency', message: `must be ${ACCOUNT_CURRENCY}` },
    ]);
  }
}
