import type pg from 'pg';
import { InvalidInput, NotFound } from '../kernel/errors.ts';
import type { Money } from '../kernel/money.ts';
import { retryOnConflict } from '../platform/db/retry-on-conflict.ts';
import { runInUnitOfWork } from '../platform/db/unit-of-work.ts';
import { Account, ACCOUNT_CURRENCY, InsufficientFunds, transfer } from './domain.ts';
import { findAccount, insertPosting } from './repository.ts';
import { assertAccountOwner, LEDGER_RETRY } from './use-cases.ts';

export interface TransferRequest {
  /** The posting's id: fresh, or from the request's Idempotency-Key so a rerun moves nothing twice. */
  transferId: string;
  customerId: string;
  fromAccountId: string;
  toAccountId: string;
  amount: Money;
}

/**
 * Moves SAT from the caller's account to another customer's in one balanced posting.
 * Both accounts are versioned writes in one transaction, loaded in id order so two
 * opposite transfers never wait on each other's rows (no deadlock); a lost race is
 * retried from a fresh read, where the debit is checked against `available` again,
 * so no concurrency can overdraw the sender.
 */
export async function transferFunds(pool: pg.Pool, request: TransferRequest): Promise<{ transferId: string }> {
  const { transferId, fromAccountId, toAccountId, amount } = request;
  assertAccountOwner(fromAccountId, request.customerId);
  if (fromAccountId === toAccountId) {
    throw new InvalidInput('a transfer needs two different accounts', [{ path: 'toAccountId', message: 'must differ from fromAccountId' }]);
  }
  if (amount.currency !== ACCOUNT_CURRENCY || amount.isZero()) {
    throw new InvalidInput(`a transfer moves more than zero ${ACCOUNT_CURRENCY}`, [
      {
        path: amount.currency !== ACCOUNT_CURRENCY ? 'amount.currency' : 'amount.amount',
        message: `must be more than zero ${ACCOUNT_CURRENCY}`,
      },
    ]);
  }
  return retryOnConflict(
    () =>
      runInUnitOfWork(pool, async (uow) => {
        const { rowCount } = await uow.sql.query(`SELECT 1 FROM ledger_postings WHERE id = $1`, [transferId]);
        if (rowCount) return { transferId };
        const accounts = new Map<string, Account | undefined>();
        for (const id of [fromAccountId, toAccountId].sort()) accounts.set(id, await findAccount(uow, id));
        const from = accounts.get(fromAccountId);
        const to = accounts.get(toAccountId);
        if (!to) throw new NotFound(`no account ${toAccountId}`);
        // An account not opened yet holds nothing: the same answer as too little available.
        if (!from) throw new InsufficientFunds(`${amount} is more than the 0 SAT available in account ${fromAccountId}`);
        const posting = transfer({ id: transferId, kind: 'transfer', reference: transferId, from: fromAccountId, to: toAccountId, amount });
        from.apply(posting);
        to.apply(posting);
        await insertPosting(uow.sql, posting);
        return { transferId };
      }),
    LEDGER_RETRY,
  );
}
