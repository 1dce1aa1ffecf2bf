import type pg from 'pg';
import { Forbidden, NotFound } from '../kernel/errors.ts';
import { newId } from '../kernel/ids.ts';
import { Money } from '../kernel/money.ts';
import { retryOnConflict } from '../platform/db/retry-on-conflict.ts';
import { runInUnitOfWork } from '../platform/db/unit-of-work.ts';
import { Account } from './domain.ts';
import { addAccount, findAccount } from './repository.ts';

/**
 * Accounting's use cases. Each is one unit of work with a versioned write on the
 * account row, retried from a fresh read when another writer got there first: with
 * twenty withdrawals racing for one account, each reserve sees the balance the
 * previous one left, so `available` never goes below zero.
 */
export const LEDGER_RETRY = { attempts: 40, baseDelayMs: 2, maxDelayMs: 50 };

/** The account of a customer is the customer's id: one SAT account each. */
export const accountIdOf = (customerId: string) => customerId;

/** Only the owner may touch or see an account. */
export function assertAccountOwner(accountId: string, customerId: string): void {
  if (accountId !== accountIdOf(customerId)) throw new Forbidden('you can only use your own account');
}

/** Credits a deposit; the first deposit opens the account. */
export async function deposit(
  pool: pg.Pool,
  input: {
    accountId: string;
    customerId: string;
    amount: Money;
    /** Set when the request carries an Idempotency-Key (`idFromRequestKey`): a rerun of it credits nothing twice. */
    postingId?: string;
  },
): Promise<{ postingId: string }> {
  assertAccountOwner(input.accountId, input.customerId);
  const postingId = input.postingId ?? newId();
  return retryOnConflict(
    () =>
      runInUnitOfWork(pool, async (uow) => {
        const { rowCount } = await uow.sql.query('SELECT 1 FROM ledger_postings WHERE id = $1', [postingId]);
        if (rowCount) return { postingId };
        let account = await findAccount(uow, input.accountId);
        if (!account) {
          account = Account.open(input.customerId);
          addAccount(uow, account);
        }
        account.deposit(postingId, input.amount);
        return { postingId };
      }),
    LEDGER_RETRY,
  );
}
