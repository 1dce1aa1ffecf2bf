import type pg from 'pg';
import { assertAccountOwner } from '../accounting/use-cases.ts';
import type { Clock } from '../kernel/clock.ts';
import { Conflict, Forbidden, InvalidInput, NotFound } from '../kernel/errors.ts';
import { newId } from '../kernel/ids.ts';
import type { Money, MoneyJson } from '../kernel/money.ts';
import { retryOnConflict } from '../platform/db/retry-on-conflict.ts';
import { runInUnitOfWork } from '../platform/db/unit-of-work.ts';
import { Withdrawal } from './domain.ts';
import { assertPayable, decodeInvoice } from './invoice.ts';
import type { LightningNode, LightningPaymentStatus } from './lightning-node.ts';
import { addWithdrawal, findWithdrawal } from './repository.ts';

export interface BitcoinDeps {
  pool: pg.Pool;
  clock: Clock;
}

export const bitcoinWithdrawalWorkflowId = (withdrawalId: string) => `bitcoin-withdrawal-${withdrawalId}`;

/** What the saga needs to know about its withdrawal, fixed at the start. */
export interface WithdrawalSagaInput {
  withdrawalId: string;
  accountId: string;
  customerId: string;
  amount: MoneyJson;
  /** The invoice's payment hash, so the saga can ask the node about it whatever happens. */
  paymentHash: string;
}

/**
 * Records a pending withdrawal after checking, before anything runs, that the caller
 * owns the account (403), the invoice is a BOLT11 invoice (400 on `invoice`) for exactly
 * this amount and not expired (422), and that no other withdrawal pays it (409).
 * Whether the funds are there is the saga's first step, not this one's.
 */
export async function requestWithdrawal(
  deps: BitcoinDeps,
  input: { customerId: string; accountId: string; amount: Money; invoice: string },
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
    const { rows } = await uow.sql.query('SELECT id FROM withdrawals WHERE payment_hash = $1', [invoice.paymentHash]);
    if (rows[0]) throw new Conflict(`this invoice is already being paid by withdrawal ${rows[0].id}`);
    const withdrawal = Withdrawal.request({
      id: newId(),
      accountId: input.accountId,
      customerId: input.customerId,
      amount: input.amount,
      invoice: input.invoice.trim(),
      paymentHash: invoice.paymentHash,
      invoiceExpiresAt: invoice.expiresAt,
    });
    addWithdrawal(uow, withdrawal);
    return {
      withdrawalId: withdrawal.id,
      accountId: input.accountId,
      customerId: input.customerId,
      amount: input.amount.toJSON(),
      paymentHash: invoice.paymentHash,
    };
  });
}

export const acceptWithdrawal = (pool: pg.Pool, withdrawalId: string) => change(pool, withdrawalId, (w) => w.accept());
export const rejectWithdrawal = (pool: pg.Pool, withdrawalId: string, reason: string) =>
  change(pool, withdrawalId, (w) => w.reject(reason));
export const markWithdrawalPaid = (pool: pg.Pool, withdrawalId: string) => change(pool, withdrawalId, (w) => w.markPaid());
export const markWithdrawalFailed = (pool: pg.Pool, withdrawalId: string, reason: string) =>
  change(pool, withdrawalId, (w) => w.markFailed(reason));

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

async function change(pool: pg.Pool, withdrawalId: string, apply: (w: Withdrawal) => void): Promise<void> {
  await retryOnConflict(() =>
    runInUnitOfWork(pool, async (uow) => {
      const withdrawal = await findWithdrawal(uow, withdrawalId);
      if (!withdrawal) throw new NotFound(`no withdrawal ${withdrawalId}`);
      apply(withdrawal);
    }),
  );
}
