import { Money } from '../../src/kernel/money.ts';
import type { InvariantRow } from './invariant-row.ts';
import { nodePayments, type NodePayment } from './simulator-records.ts';
import type { MoneyWorld } from './world.ts';

export const NODE_PAYMENTS_ROW = 'node payments = paid withdrawals, none paid twice';

interface WithdrawalMoney {
  id: string;
  account_id: string;
  status: string;
  payment_hash: string;
  amount_minor: string;
}

const sats = (minor: string | number | bigint) => Money.fromMinorUnits(BigInt(minor), 'SAT');

/**
 * Node payments that succeeded = paid withdrawals, one each; a failed one is never paid,
 * a pending one holds its funds (used after every end-to-end test file).
 */
export function reconcileNodePayments(payments: readonly NodePayment[], withdrawals: readonly WithdrawalMoney[]): string[] {
  const violations: string[] = [];
  const byHash = new Map(payments.map((p) => [p.paymentHash, p]));
  for (const withdrawal of withdrawals) {
    const nodeStatus = byHash.get(withdrawal.payment_hash)?.status ?? 'none';
    const consistent =
      (withdrawal.status === 'paid' && nodeStatus === 'succeeded') ||
      (withdrawal.status === 'failed' && nodeStatus !== 'succeeded' && nodeStatus !== 'pending') ||
      (withdrawal.status === 'accepted' && nodeStatus !== 'succeeded' && nodeStatus !== 'failed') ||
      ((withdrawal.status === 'rejected' || withdrawal.status === 'pending') && nodeStatus === 'none');
    if (!consistent) violations.push(`withdrawal ${withdrawal.id} is ${withdrawal.status} while the node's payment is ${nodeStatus}`);
  }
  const ourHashes = new Set(withdrawals.map((w) => w.payment_hash));
  for (const payment of payments) {
    if (payment.status === 'succeeded' && !ourHashes.has(payment.paymentHash)) {
      violations.push(`the node paid ${payment.paymentHash}, which no withdrawal of ours asked for`);
    }
  }
  return violations;
}

async function readWithdrawals(world: MoneyWorld): Promise<WithdrawalMoney[]> {
  const { rows } = await world.read.query('SELECT id::text AS id, account_id, status, payment_hash, amount_minor FROM withdrawals');
  return rows as WithdrawalMoney[];
}

export async function checkLightningPayments(world: MoneyWorld): Promise<string[]> {
  return reconcileNodePayments(await nodePayments(world.lightningUrl), await readWithdrawals(world));
}

/**
 * The row: the reconciliation above, and that nothing was paid twice or in the wrong
 * amount, on either side of the wire. At the node: no payment hash listed twice, no
 * withdrawal with two succeeded payments, each succeeded payment of exactly its
 * withdrawal's amount. In our books: each paid withdrawal has its one withdrawal posting,
 * debiting its account by its amount, and no other withdrawal has one (settling writes
 * the posting and marks the withdrawal paid in one unit of work).
 */
export async function nodePaymentsRow(world: MoneyWorld): Promise<Omit<InvariantRow, 'name'>> {
  const payments = await nodePayments(world.lightningUrl);
  const withdrawals = await readWithdrawals(world);
  const violations = reconcileNodePayments(payments, withdrawals);

  const seenHashes = new Set<string>();
  const succeededByWithdrawal = new Map<string, number>();
  for (const payment of payments) {
    if (seenHashes.has(payment.paymentHash)) violations.push(`the node lists payment hash ${payment.paymentHash} more than once`);
    seenHashes.add(payment.paymentHash);
    if (payment.status === 'succeeded') {
      succeededByWithdrawal.set(payment.withdrawalId, (succeededByWithdrawal.get(payment.withdrawalId) ?? 0) + 1);
    }
  }
  for (const [withdrawalId, count] of succeededByWithdrawal) {
    if (count > 1) violations.push(`the node paid withdrawal ${withdrawalId} ${count} times`);
  }

  const succeededByHash = new Map(payments.filter((p) => p.status === 'succeeded').map((p) => [p.paymentHash, p]));
  const { rows: postings } = await world.read.query(
    `SELECT p.reference, e.account_id, (-e.amount_minor)::text AS debited
     FROM ledger_postings p JOIN ledger_entries e ON e.posting_id = p.id
     WHERE p.kind = 'withdrawal' AND p.currency = 'SAT' AND e.amount_minor < 0`,
  );
  const postingByWithdrawal = new Map(postings.map((p) => [String(p.reference), p as { account_id: string; debited: string }]));
  for (const withdrawal of withdrawals) {
    const amount = sats(withdrawal.amount_minor);
    const atNode = succeededByHash.get(withdrawal.payment_hash);
    if (atNode && atNode.withdrawalId !== withdrawal.id) {
      violations.push(
        `the node paid ${withdrawal.payment_hash} for withdrawal ${atNode.withdrawalId}, but it is withdrawal ${withdrawal.id}'s invoice`,
      );
    }
    if (atNode && !sats(atNode.amountSats).equals(amount)) {
      violations.push(`the node paid ${sats(atNode.amountSats)} for withdrawal ${withdrawal.id} of ${amount}`);
    }
    const posting = postingByWithdrawal.get(withdrawal.id);
    if (withdrawal.status === 'paid' && !posting)
      violations.push(`withdrawal ${withdrawal.id} is paid but our books have no withdrawal posting for it`);
    if (withdrawal.status !== 'paid' && posting)
      violations.push(`withdrawal ${withdrawal.id} is ${withdrawal.status} but our books paid it out`);
    if (
      withdrawal.status === 'paid' &&
      posting &&
      (posting.account_id !== withdrawal.account_id || !sats(posting.debited).equals(amount))
    ) {
      violations.push(
        `withdrawal ${withdrawal.id} of ${amount} from ${withdrawal.account_id} is paid out as ${sats(posting.debited)} from ${posting.account_id}`,
      );
    }
  }
  const ours = new Set(withdrawals.map((w) => w.id));
  for (const [reference, posting] of postingByWithdrawal) {
    if (!ours.has(reference))
      violations.push(`our books paid out ${sats(posting.debited)} for ${reference}, which is no withdrawal of ours`);
  }
  return { checked: withdrawals.length + payments.length, violations };
}
