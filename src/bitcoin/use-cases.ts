import type pg from 'pg';
import { findAccount } from '../accounting/repository.ts';
import { assertAccountOwner, LEDGER_RETRY } from '../accounting/use-cases.ts';
import type { Clock } from '../kernel/clock.ts';
import { Conflict, Forbidden, InvalidInput, NotFound } from '../kernel/errors.ts';
import { newId } from '../kernel/ids.ts';
import type { Money, MoneyJson } from '../kernel/money.ts';
import { retryOnConflict } from '../platform/db/retry-on-conflict.ts';
import { runInUnitOfWork, type UnitOfWork } from '../platform/db/unit-of-work.ts';
import { Withdrawal } from './domain.ts';
import { assertPayable, decodeInvoice } from './invoice.ts';
import type { LightningNode, LightningPaymentStatus } from './lightning-node.ts';
import type { BitcoinWithdrawalInput } from '../../workflows/bitcoin-withdrawal.contract.ts';
import { addWithdrawal, findWithdrawal } from './repository.ts';

export interface BitcoinDeps {
  pool: pg.Pool;
  clock: Clock;
}

/** What the saga needs to know about its withdrawal, fixed at the start (its payment hash, so it can ask the node whatever happens). */
export type WithdrawalSagaInput = Omit<BitcoinWithdrawalInput, 'awaitingNode'>;

/**
 * Records a pending withdrawal after checking, before anything runs, that the caller
 * owns the account (403), the invoice is a BOLT11 invoice (400 on `invoice`) for exactly
 * this amount and not expired (422), and that no other withdrawal pays it (409).
 * Whether the funds are there is the saga's first step, not this one's.
 */
export async function requestWithdrawal(
  deps: BitcoinDeps,
  input: {
    customerId: string;
    accountId: string;
    amount: Money;
    invoice: string;
    /** Set when the request carries an Idempotency-Key (`idFromRequestKey`): a rerun of it finds its own withdrawal. */
    withdrawalId?: string;
  },
): Promise<WithdrawalSagaInput> {
  assertAccountOwner(input.accountId, input.customerId);
  if (input.amount.currency !== 'SAT') {
    throw new InvalidInput('withdrawals are in SAT', [{ path: 'amount.currency', message: 'must be SAT' }]);
  }
  if (input.amount.isZero())
    throw new InvalidInput('a withdrawal must be more than zero', [{ path: 'amount.amount', message: 'must be more than zero' }]);
  const invoice = decodeInvoice(input.invoice);
  assertPayable(invoice, input.amount, deps.clock.now());
  return runInUnitOfWork(deps.pool, async (uow) => {
    const { rows } = await uow.sql.query<{ id: string }>('SELECT id FROM withdrawals WHERE payment_hash = $1', [invoice.paymentHash]);
    const earlier = rows[0];
    if (earlier && earlier.id === input.withdrawalId) return sagaInputOf(earlier.id, input, invoice.paymentHash);
    if (earlier) throw new Conflict(`this invoice is already being paid by withdrawal ${earlier.id}`);
    const withdrawal = Withdrawal.request({
      id: input.withdrawalId ?? newId(),
      accountId: input.accountId,
      customerId: input.customerId,
      amount: input.amount,
      invoice: input.invoice.trim(),
      paymentHash: invoice.paymentHash,
      invoiceExpiresAt: invoice.expiresAt,
    });
    addWithdrawal(uow, withdrawal);
    return sagaInputOf(withdrawal.id, input, invoice.paymentHash);
  });
}

function sagaInputOf(
  withdrawalId: string,
  input: { customerId: string; accountId: string; amount: Money },
  paymentHash: string,
): WithdrawalSagaInput {
  return { withdrawalId, accountId: input.accountId, customerId: input.customerId, amount: input.amount.toJSON(), paymentHash };
}

/**
 * The saga's first step, in one unit of work with the withdrawal: hold the amount in the
 * customer's account and accept the withdrawal, or, with too little available, hold
 * nothing and reject it. A withdrawal already compensated (failed) is refused, so a late
 * retry can never reserve funds that nothing would release. Idempotent.
 */
export async function reserveWithdrawalFunds(pool: pg.Pool, withdrawalId: string): Promise<{ reserved: boolean }> {
  return retryOnConflict(
    () =>
      runInUnitOfWork(pool, async (uow) => {
        const withdrawal = await requireWithdrawal(uow, withdrawalId);
        const { status, accountId, amount } = withdrawal.state;
        if (status === 'accepted' || status === 'paid') return { reserved: true };
        if (status === 'rejected') return { reserved: false };
        if (status === 'failed') throw new Conflict(`withdrawal ${withdrawalId} was already compensated; nothing is reserved for it`);
        const account = await findAccount(uow, accountId, { reservationId: withdrawalId });
        const { reserved } = account ? account.reserve(withdrawalId, amount) : { reserved: false };
        if (reserved) withdrawal.accept();
        else withdrawal.reject('insufficient funds');
        return { reserved };
      }),
    LEDGER_RETRY,
  );
}

/** The node paid: the reservation is paid out and the withdrawal is `paid`, together. Idempotent. */
export async function settleWithdrawal(pool: pg.Pool, withdrawalId: string): Promise<void> {
  await retryOnConflict(() => runInUnitOfWork(pool, (uow) => settleIn(uow, withdrawalId)), LEDGER_RETRY);
}

/**
 * The node said definitely no (or never got the payment): the funds are available again
 * and the withdrawal is `failed`, together. Refused for a paid withdrawal. Idempotent.
 */
export async function releaseWithdrawal(pool: pg.Pool, withdrawalId: string, reason: string): Promise<void> {
  await retryOnConflict(() => runInUnitOfWork(pool, (uow) => releaseIn(uow, withdrawalId, reason)), LEDGER_RETRY);
}

/**
 * The node's word on a payment that arrived when no saga waits for it any more (the saga
 * was cancelled while the payment was pending): settled or released here, in the
 * webhook's unit of work, exactly as the saga would have. A word that repeats what
 * happened changes nothing; one that contradicts a finished withdrawal is reported.
 */
export async function applyLateLightningOutcome(
  uow: UnitOfWork,
  withdrawalId: string,
  outcome: { status: 'succeeded' | 'failed'; reason?: string },
): Promise<'applied' | 'already-so' | 'contradicts'> {
  const withdrawal = await requireWithdrawal(uow, withdrawalId);
  const status = withdrawal.state.status;
  if (outcome.status === 'succeeded') {
    if (status === 'paid') return 'already-so';
    if (status !== 'accepted') return 'contradicts';
    await settleIn(uow, withdrawalId);
    return 'applied';
  }
  if (status === 'failed') return 'already-so';
  if (status !== 'accepted') return 'contradicts';
  await releaseIn(uow, withdrawalId, `the lightning payment failed${outcome.reason ? ` (${outcome.reason})` : ''}`);
  return 'applied';
}

async function settleIn(uow: UnitOfWork, withdrawalId: string): Promise<void> {
  const withdrawal = await requireWithdrawal(uow, withdrawalId);
  if (withdrawal.state.status === 'paid') return;
  const account = await findAccount(uow, withdrawal.state.accountId, { reservationId: withdrawalId });
  if (!account) throw new NotFound(`no account ${withdrawal.state.accountId}`);
  account.settle(withdrawalId, newId());
  withdrawal.markPaid();
}

async function releaseIn(uow: UnitOfWork, withdrawalId: string, reason: string): Promise<void> {
  const withdrawal = await requireWithdrawal(uow, withdrawalId);
  if (withdrawal.state.status === 'paid') throw new Conflict(`withdrawal ${withdrawalId} is paid; its funds cannot be released`);
  if (withdrawal.state.status === 'rejected') return; // nothing was ever held
  const account = await findAccount(uow, withdrawal.state.accountId, { reservationId: withdrawalId });
  account?.release(withdrawalId);
  withdrawal.markFailed(reason);
}

/**
 * Asks the node to pay the withdrawal's invoice. Only an accepted withdrawal (funds
 * reserved) is paid. The node keys payments by payment hash, so a retried activity gets
 * the first payment back instead of paying again.
 */
export async function payWithdrawalInvoice(
  deps: BitcoinDeps,
  node: LightningNode,
  withdrawalId: string,
): Promise<{ paymentHash: string; status: LightningPaymentStatus }> {
  const withdrawal = await runInUnitOfWork(deps.pool, async (uow) => findWithdrawal(uow, withdrawalId));
  if (!withdrawal) throw new NotFound(`no withdrawal ${withdrawalId}`);
  if (withdrawal.state.status !== 'accepted') {
    throw new Conflict(`withdrawal ${withdrawalId} is ${withdrawal.state.status}; only an accepted withdrawal is paid`);
  }
  return node.payInvoice({ invoice: withdrawal.state.invoice, withdrawalId });
}

/** Only the owner may see a withdrawal. */
export function assertWithdrawalOwner(withdrawal: { customerId: string }, customerId: string): void {
  if (withdrawal.customerId !== customerId) throw new Forbidden('not your withdrawal');
}

async function requireWithdrawal(uow: UnitOfWork, withdrawalId: string): Promise<Withdrawal> {
  const withdrawal = await findWithdrawal(uow, withdrawalId);
  if (!withdrawal) throw new NotFound(`no withdrawal ${withdrawalId}`);
  return withdrawal;
}
