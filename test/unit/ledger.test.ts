import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Account, assertBalanced, LIGHTNING_ACCOUNT, transfer } from '../../src/accounting/domain.ts';
import { Withdrawal } from '../../src/bitcoin/domain.ts';
import { assertPayable, decodeInvoice } from '../../src/bitcoin/invoice.ts';
import { Money } from '../../src/kernel/money.ts';
import { issueInvoice, generateNodeKey } from '../../src/simulators/bolt11-invoices.ts';

const sat = (n: number | bigint) => Money.fromMinorUnits(BigInt(n), 'SAT');

describe('the double-entry ledger', () => {
  it('makes transfers that balance, and refuses postings that do not', () => {
    const posting = transfer({ id: 'p1', kind: 'deposit', reference: 'p1', from: LIGHTNING_ACCOUNT, to: 'ann', amount: sat(500) });
    expect(posting.entries).toEqual([
      { accountId: LIGHTNING_ACCOUNT, amount: -500n },
      { accountId: 'ann', amount: 500n },
    ]);
    expect(() =>
      assertBalanced({
        ...posting,
        entries: [
          { accountId: 'ann', amount: 500n },
          { accountId: 'x', amount: -499n },
        ],
      }),
    ).toThrow(/does not balance/);
    expect(() =>
      assertBalanced({
        ...posting,
        entries: [
          { accountId: 'ann', amount: 0n },
          { accountId: 'x', amount: 0n },
        ],
      }),
    ).toThrow(/zero/);
    expect(() => assertBalanced({ ...posting, entries: [{ accountId: 'ann', amount: 0n }] })).toThrow(/two entries/);
  });

  it('deposits, reserves, settles and releases, keeping available = balance - reserved', () => {
    const account = Account.open('ann');
    account.deposit('d1', sat(1000));
    expect(account.reserve('w1', sat(600))).toEqual({ reserved: true });
    expect(account.reserve('w2', sat(600))).toEqual({ reserved: false }); // only 400 available
    expect(account.reserve('w1', sat(600))).toEqual({ reserved: true }); // idempotent
    expect(account.reserve('w2', sat(600))).toEqual({ reserved: false }); // the refusal is remembered too
    expect(account.state.reserved.minorUnits).toBe(600n);
    expect(account.available.minorUnits).toBe(400n);
    account.settle('w1', 'p-w1');
    account.settle('w1', 'p-w1-again'); // idempotent
    expect(account.state.balance.minorUnits).toBe(400n);
    expect(account.state.reserved.minorUnits).toBe(0n);
    expect(account.release('w1')).toEqual({ released: false }); // settled stays settled
    expect(account.release('w2')).toEqual({ released: false }); // nothing was held
    expect(account.release('never')).toEqual({ released: false });
    const { postings } = account.unsavedChanges();
    expect(postings.map((p) => p.kind)).toEqual(['deposit', 'withdrawal']);
    for (const p of postings) assertBalanced(p);
  });

  it('never lets available go below zero, whatever the sequence of operations', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('deposit' as const), amount: fc.integer({ min: 1, max: 1000 }) }),
      fc.record({ kind: fc.constant('reserve' as const), id: fc.integer({ min: 0, max: 9 }), amount: fc.integer({ min: 1, max: 1000 }) }),
      fc.record({ kind: fc.constant('settle' as const), id: fc.integer({ min: 0, max: 9 }) }),
      fc.record({ kind: fc.constant('release' as const), id: fc.integer({ min: 0, max: 9 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const account = Account.open('ann');
        const amounts = new Map<number, number>();
        let n = 0;
        for (const o of ops) {
          if (o.kind === 'deposit') account.deposit(`d${n++}`, sat(o.amount));
          if (o.kind === 'reserve') {
            const amount = amounts.get(o.id) ?? o.amount;
            amounts.set(o.id, amount);
            account.reserve(`w${o.id}`, sat(amount));
          }
          if (o.kind === 'settle' && account.reservation(`w${o.id}`)?.status === 'held') account.settle(`w${o.id}`, `p${n++}`);
          if (o.kind === 'release') account.release(`w${o.id}`);
          expect(account.state.reserved.compare(account.state.balance)).toBeLessThanOrEqual(0);
        }
        // The ledger agrees with the row: the account's entries sum to its balance.
        const { postings } = account.unsavedChanges();
        const sum = postings
          .flatMap((p) => p.entries)
          .filter((e) => e.accountId === 'ann')
          .reduce((t, e) => t + e.amount, 0n);
        expect(sum).toBe(account.state.balance.minorUnits);
        expect(postings.flatMap((p) => p.entries).reduce((t, e) => t + e.amount, 0n)).toBe(0n);
      }),
    );
  });

  it('accepts only SAT', () => {
    expect(() => Account.open('ann').deposit('d', Money.of('1.00', 'USD'))).toThrow(/SAT/);
  });
});

describe('the withdrawal and its invoice', () => {
  const nowSeconds = Math.floor(Date.now() / 1000);

  it('decodes a real invoice and checks amount and expiry', async () => {
    const issued = await issueInvoice({ nodeKey: generateNodeKey(), amountSats: 2500, memo: 'x', nowSeconds });
    const decoded = decodeInvoice(issued.invoice);
    expect(decoded).toMatchObject({ paymentHash: issued.paymentHash, amountMsat: 2_500_000n });
    expect(() => assertPayable(decoded, sat(2500), new Date())).not.toThrow();
    expect(() => assertPayable(decoded, sat(2499), new Date())).toThrow(/asks for 2500000 msat/);
    expect(() => assertPayable(decoded, sat(2500), new Date((issued.expiresAt + 1) * 1000))).toThrow(/expired/);
  });

  it('names the invoice field when it is not one', () => {
    try {
      decodeInvoice('lnbc-not-an-invoice');
      expect.unreachable();
    } catch (error) {
      expect((error as { errors: unknown }).errors).toEqual([
        { path: 'invoice', message: expect.stringContaining('not a BOLT11 invoice') },
      ]);
    }
  });

  it('moves pending -> accepted -> paid | failed, or pending -> rejected, and repeats are no-ops', () => {
    const make = () =>
      Withdrawal.request({
        id: 'w',
        accountId: 'ann',
        customerId: 'ann',
        amount: sat(10),
        invoice: 'lnbc…',
        paymentHash: 'h',
        invoiceExpiresAt: new Date(),
      });
    const paid = make();
    paid.accept();
    paid.accept();
    paid.markPaid();
    paid.markPaid();
    expect(paid.state.status).toBe('paid');
    expect(paid.pendingEvents.map((e) => e.type)).toEqual(['WithdrawalRequested', 'WithdrawalAccepted', 'WithdrawalPaid']);
    expect(() => paid.markFailed('late')).toThrow(/paid/);

    const rejected = make();
    rejected.reject('insufficient funds');
    expect(() => rejected.accept()).toThrow(/rejected/);
    expect(() => rejected.markPaid()).toThrow(/rejected/);

    const failed = make();
    failed.accept();
    failed.markFailed('no route');
    expect(() => failed.markPaid()).toThrow(/failed/);
  });
});
