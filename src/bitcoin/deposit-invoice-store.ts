import { satoshis } from '../accounting/domain.ts';
import { Money } from '../kernel/money.ts';
import type { Sql } from '../platform/db/pools.ts';

/**
 * The `deposit_invoices` table (migration 014), in plain SQL. Not a versioned aggregate:
 * a deposit invoice changes once, open to paid, and that change is a guarded UPDATE
 * (`WHERE status = 'open'`), which is what makes a payment credit once however many
 * webhooks race to report it.
 */
export interface DepositInvoiceRecord {
  id: string;
  accountId: string;
  customerId: string;
  paymentHash: string;
  amount: Money;
  /** What the node reported received, once paid. */
  received: Money | null;
  invoice: string;
  expiresAt: Date;
  status: 'open' | 'paid';
  paidAt: Date | null;
  postingId: string | null;
  createdAt: Date;
}

const COLUMNS = `id, account_id, customer_id, payment_hash, amount_minor, received_minor, invoice, expires_at, status, paid_at,
  posting_id, created_at`;

const sat = satoshis;

function toRecord(row: Record<string, any>): DepositInvoiceRecord {
  return {
    id: row.id,
    accountId: row.account_id,
    customerId: row.customer_id,
    paymentHash: row.payment_hash,
    amount: sat(row.amount_minor),
    received: row.received_minor === null ? null : sat(row.received_minor),
    invoice: row.invoice,
    expiresAt: row.expires_at,
    status: row.status,
    paidAt: row.paid_at,
    postingId: row.posting_id,
    createdAt: row.created_at,
  };
}

/** Stores a new open invoice; false when a row with its id exists already (a rerun of the same request). */
export async function insertDepositInvoice(
  sql: Sql,
  invoice: Pick<DepositInvoiceRecord, 'id' | 'accountId' | 'customerId' | 'paymentHash' | 'amount' | 'invoice' | 'expiresAt'>,
): Promise<boolean> {
  const { rowCount } = await sql.query(
    `INSERT INTO deposit_invoices (id, account_id, customer_id, payment_hash, amount_minor, invoice, expires_at, status)
     VALUES ($1, $2, $3, $4, $5, $6, $7, 'open') ON CONFLICT (id) DO NOTHING`,
    [
      invoice.id,
      invoice.accountId,
      invoice.customerId,
      invoice.paymentHash,
      invoice.amount.minorUnits.toString(),
      invoice.invoice,
      invoice.expiresAt,
    ],
  );
  return rowCount === 1;
}

export async function findDepositInvoice(sql: Sql, id: string): Promise<DepositInvoiceRecord | undefined> {
  const { rows } = await sql.query(`SELECT ${COLUMNS} FROM deposit_invoices WHERE id = $1`, [id]);
  return rows[0] && toRecord(rows[0]);
}

/** A customer's deposit invoices, newest first. */
export async function listDepositInvoicesOf(sql: Sql, customerId: string, limit = 200): Promise<DepositInvoiceRecord[]> {
  const { rows } = await sql.query(`SELECT ${COLUMNS} FROM deposit_invoices WHERE customer_id = $1 ORDER BY created_at DESC LIMIT $2`, [
    customerId,
    limit,
  ]);
  return rows.map(toRecord);
}

export async function findDepositInvoiceByHash(sql: Sql, paymentHash: string): Promise<DepositInvoiceRecord | undefined> {
  const { rows } = await sql.query(`SELECT ${COLUMNS} FROM deposit_invoices WHERE payment_hash = $1`, [paymentHash]);
  return rows[0] && toRecord(rows[0]);
}

/**
 * Open to paid, recording what was received and the posting that credits it. Undefined
 * when the invoice is not open (already paid): the guard is the row itself, so of two
 * transactions reporting one payment, the second waits on the first's row lock and then
 * finds nothing to update.
 */
export async function markDepositInvoicePaid(
  sql: Sql,
  payment: { paymentHash: string; received: Money; postingId: string; paidAt: Date },
): Promise<DepositInvoiceRecord | undefined> {
  const { rows } = await sql.query(
    `UPDATE deposit_invoices SET status = 'paid', received_minor = $2, posting_id = $3, paid_at = $4
     WHERE payment_hash = $1 AND status = 'open' RETURNING ${COLUMNS}`,
    [payment.paymentHash, payment.received.minorUnits.toString(), payment.postingId, payment.paidAt],
  );
  return rows[0] && toRecord(rows[0]);
}
