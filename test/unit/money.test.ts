import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidInput } from '../../src/kernel/errors.ts';
import { CURRENCIES, CURRENCY_PRECISION, Money, type Currency } from '../../src/kernel/money.ts';

const currency = fc.constantFrom(...CURRENCIES);
/** Minor units small enough that sums of a few stay within Postgres's bigint. */
const minorUnits = fc.bigInt({ min: 0n, max: 10n ** 15n });
const money = (c: Currency) => minorUnits.map((m) => Money.fromMinorUnits(m, c));
const sameCurrencyPair = currency.chain((c) => fc.tuple(money(c), money(c)));
const sameCurrencyTriple = currency.chain((c) => fc.tuple(money(c), money(c), money(c)));

describe('Money', () => {
  it('round-trips through its decimal string exactly', () => {
    fc.assert(
      fc.property(currency, minorUnits, (c, m) => {
        const original = Money.fromMinorUnits(m, c);
        const parsed = Money.of(original.amount, c);
        expect(parsed.equals(original)).toBe(true);
        expect(parsed.amount).toBe(original.amount);
      }),
    );
  });

  it("always prints the currency's precision", () => {
    fc.assert(
      fc.property(currency, minorUnits, (c, m) => {
        const [, fraction = ''] = Money.fromMinorUnits(m, c).amount.split('.');
        expect(fraction.length).toBe(CURRENCY_PRECISION[c]);
      }),
    );
  });

  it('adds commutatively and associatively, with zero as identity', () => {
    fc.assert(
      fc.property(sameCurrencyTriple, ([a, b, c]) => {
        expect(a.add(b).equals(b.add(a))).toBe(true);
        expect(
          a
            .add(b)
            .add(c)
            .equals(a.add(b.add(c))),
        ).toBe(true);
        expect(a.add(Money.zero(a.currency)).equals(a)).toBe(true);
      }),
    );
  });

  it('subtracts as the inverse of adding, and never goes negative', () => {
    fc.assert(
      fc.property(sameCurrencyPair, ([a, b]) => {
        expect(a.add(b).subtract(b).equals(a)).toBe(true);
        if (b.isGreaterThan(a)) expect(() => a.subtract(b)).toThrow(InvalidInput);
        else expect(a.subtract(b).add(b).equals(a)).toBe(true);
      }),
    );
  });

  it('compares consistently with its minor units', () => {
    fc.assert(
      fc.property(sameCurrencyPair, ([a, b]) => {
        const expected = a.minorUnits < b.minorUnits ? -1 : a.minorUnits > b.minorUnits ? 1 : 0;
        expect(a.compare(b)).toBe(expected);
        expect(b.compare(a)).toBe(expected === 0 ? 0 : -expected); // not -0: toBe uses Object.is
      }),
    );
  });

  it('is equal by value, whatever the notation', () => {
    expect(Money.of('1', 'USD').equals(Money.of('1.00', 'USD'))).toBe(true);
    expect(Money.of('1.5', 'EUR').equals(Money.of('1.50', 'EUR'))).toBe(true);
    expect(Money.of('1', 'USD').equals(Money.of('1', 'EUR'))).toBe(false);
    expect(Money.of('12.50', 'USD').toJSON()).toEqual({ amount: '12.50', currency: 'USD' });
  });

  it('refuses more decimal places than the currency has', () => {
    fc.assert(
      fc.property(currency, fc.integer({ min: 1, max: 9 }), fc.nat({ max: 10_000 }), (c, extra, whole) => {
        const places = CURRENCY_PRECISION[c] + extra;
        const amount = `${whole}.${'1'.repeat(places)}`;
        expect(() => Money.of(amount, c)).toThrow(/decimal places/);
      }),
    );
    expect(() => Money.of('1.0', 'SAT')).toThrow(InvalidInput);
  });

  it('refuses negative amounts, non-decimals and unknown currencies, naming the field', () => {
    const fieldOf = (f: () => unknown) => {
      try {
        f();
      } catch (error) {
        return (error as InvalidInput).errors[0]?.path;
      }
      return 'no error';
    };
    expect(fieldOf(() => Money.of('-1.00', 'USD'))).toBe('amount');
    expect(fieldOf(() => Money.of('1e3', 'USD'))).toBe('amount');
    expect(fieldOf(() => Money.of('12,50', 'EUR'))).toBe('amount');
    expect(fieldOf(() => Money.of('', 'USD'))).toBe('amount');
    expect(fieldOf(() => Money.of('NaN', 'USD'))).toBe('amount');
    expect(fieldOf(() => Money.of('1.00', 'GBP'))).toBe('currency');
    expect(fieldOf(() => Money.of('1.00', 'usd'))).toBe('currency');
    expect(fieldOf(() => Money.of('99999999999999999999', 'SAT'))).toBe('amount');
  });

  it('refuses arithmetic across currencies', () => {
    expect(() => Money.of('1', 'USD').add(Money.of('1', 'EUR'))).toThrow(/cannot combine USD with EUR/);
  });
});
