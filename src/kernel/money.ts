import { InvalidInput } from './errors.ts';

/** Decimal places of each currency we accept. SAT is bitcoin counted in satoshis. */
export const CURRENCY_PRECISION = { USD: 2, EUR: 2, SAT: 0 } as const;
export type Currency = keyof typeof CURRENCY_PRECISION;
export const CURRENCIES = Object.keys(CURRENCY_PRECISION) as Currency[];

/** Postgres stores minor units in a bigint column; nothing larger can be persisted. */
const MAX_MINOR_UNITS = 2n ** 63n - 1n;
const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

export interface MoneyJson {
  amount: string;
  currency: Currency;
}

/**
 * A non-negative amount in one currency, held as an exact integer count of minor
 * units (cents, satoshis). Never a float. Immutable; equal by value, so
 * `1` and `1.00` USD are the same money.
 */
export class Money {
  private constructor(
    readonly currency: Currency,
    /** Amount in the currency's smallest unit. */
    readonly minorUnits: bigint,
  ) {}

  /** Parses the API's decimal string. Errors name the offending field (`amount` or `currency`). */
  static of(amount: string, currency: string): Money {
    if (!isCurrency(currency)) {
      throw new InvalidInput(`unknown currency "${currency}"`, [{ path: 'currency', message: `must be one of ${CURRENCIES.join(', ')}` }]);
    }
    const precision = CURRENCY_PRECISION[currency];
    const trimmed = amount.trim();
    if (trimmed.startsWith('-')) throw amountError('must not be negative');
    const match = DECIMAL.exec(trimmed);
    if (!match) throw amountError('must be a decimal string such as "12.50"');
    const [, whole = '0', fraction = ''] = match;
    if (fraction.length > precision) {
      throw amountError(`${currency} allows at most ${precision} decimal places`);
    }
    const minor = BigInt(whole) * 10n ** BigInt(precision) + BigInt(fraction.padEnd(precision, '0') || '0');
    return Money.fromMinorUnits(minor, currency);
  }

  static fromMinorUnits(minorUnits: bigint, currency: Currency): Money {
    if (minorUnits < 0n) throw amountError('must not be negative');
    if (minorUnits > MAX_MINOR_UNITS) throw amountError('is too large');
    return new Money(currency, minorUnits);
  }

  static zero(currency: Currency): Money {
    return new Money(currency, 0n);
  }

  static fromJSON(json: { amount: string; currency: string }): Money {
    return Money.of(json.amount, json.currency);
  }

  get precision(): number {
    return CURRENCY_PRECISION[this.currency];
  }

  /** The canonical decimal string, always with the currency's number of places. */
  get amount(): string {
    if (this.precision === 0) return this.minorUnits.toString();
    const digits = this.minorUnits.toString().padStart(this.precision + 1, '0');
    return `${digits.slice(0, -this.precision)}.${digits.slice(-this.precision)}`;
  }

  add(other: Money): Money {
    this.assertSameCurrency(other);
    return Money.fromMinorUnits(this.minorUnits + other.minorUnits, this.currency);
  }

  /** Money is never negative: taking more than there is is an error, not a debt. */
  subtract(other: Money): Money {
    this.assertSameCurrency(other);
    return Money.fromMinorUnits(this.minorUnits - other.minorUnits, this.currency);
  }

  compare(other: Money): -1 | 0 | 1 {
    this.assertSameCurrency(other);
    return this.minorUnits < other.minorUnits ? -1 : this.minorUnits > other.minorUnits ? 1 : 0;
  }

  isGreaterThan(other: Money): boolean {
    return this.compare(other) === 1;
  }

  isLessThan(other: Money): boolean {
    return this.compare(other) === -1;
  }

  isZero(): boolean {
    return this.minorUnits === 0n;
  }

  equals(other: Money): boolean {
    return this.currency === other.currency && this.minorUnits === other.minorUnits;
  }

  toJSON(): MoneyJson {
    return { amount: this.amount, currency: this.currency };
  }

  toString(): string {
    return `${this.amount} ${this.currency}`;
  }

  private assertSameCurrency(other: Money): void {
    if (other.currency !== this.currency) {
      throw new InvalidInput(`cannot combine ${this.currency} with ${other.currency}`, [
        { path: 'currency', message: `must be ${this.currency}` },
      ]);
    }
  }
}

export function isCurrency(value: string): value is Currency {
  return Object.hasOwn(CURRENCY_PRECISION, value);
}

function amountError(message: string): InvalidInput {
  return new InvalidInput(`amount ${message}`, [{ path: 'amount', message }]);
}
