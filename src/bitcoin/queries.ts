import { satoshis } from '../accounting/domain.ts';
import type { MoneyJson } from '../kernel/money.ts';
import type { Sql } from '../platform/db/pools.ts';
import type { WithdrawalStatus } from './domain.ts';

export interface WithdrawalView {
  id: string;
  accountId: string;
  customerId: string;
  status: WithdrawalStatus;
  amount: MoneyJson;
  paymentHash: string;
  invoice: string;
  invoiceExpiresAt: string;
  reason: string | null;
  workflowId: string;
  createdAt: string;
  updatedAt: string;
  version: number;
}

const SELECT = `SELECT id, account_id, customer_id, status, amount_minor, payment_hash, invoice, invoice_expires_at, reason,
  created_at, updated_at, version FROM withdrawals`;

export async function getWithdrawal(read: Sql, id: string): Promise<WithdrawalView | undefined> {
  const { rows } = await read.query(`${SELECT} WHERE id = $1`, [id]);
  return rows[0] && toView(rows[0]);
}

/** Who may see a withdrawal's events: its owner; undefined for an unknown id. */
export async function withdrawalParties(read: Sql, withdrawalId: string): Promise<string[] | undefined> {
  const withdrawal = await getWithdrawal(read, withdrawalId);
  return withdrawal && [withdrawal.customerId];
}

export async function listWithdrawalsOfCustomer(read: Sql, customerId: string, limit = 200): Promise<WithdrawalView[]> {
  const { rows } = await read.query(`${SELECT} WHERE customer_id = $1 ORDER BY created_at DESC LIMIT $2`, [customerId, limit]);
  return rows.map(toView);
}

function toView(row: Record<string, any>): WithdrawalView {
  return {
    id: row.id,
    accountId: row.account_id,
    customerId: row.customer_id,
    status: row.status,
    amount: satoshis(row.amount_minor).toJSON(),
    paymentHash: row.payment_hash,
    invoice: row.invoice,
    invoiceExpiresAt: row.invoice_expires_at.toISOString(),
    reason: row.reason,
    workflowId: `bitcoin-withdrawal-${row.id}`,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    version: row.version,
  };
}
