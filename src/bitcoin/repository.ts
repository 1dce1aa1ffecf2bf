import { satoshis } from '../accounting/domain.ts';
import type { AggregateWriter, UnitOfWork } from '../platform/db/unit-of-work.ts';
import { Withdrawal, type WithdrawalStatus } from './domain.ts';

const COLUMNS = 'account_id, customer_id, amount_minor, invoice, payment_hash, invoice_expires_at, status, reason, version';

const withdrawalWriter: AggregateWriter<Withdrawal> = {
  aggregateType: 'Withdrawal',
  async insert(sql, withdrawal) {
    await sql.query(`INSERT INTO withdrawals (id, ${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, [
      withdrawal.id,
      ...values(withdrawal),
    ]);
  },
  async update(sql, withdrawal, expectedVersion) {
    const s = withdrawal.state;
    const { rowCount } = await sql.query(
      `UPDATE withdrawals SET status = $3, reason = $4, version = $5, updated_at = now() WHERE id = $1 AND version = $2`,
      [withdrawal.id, expectedVersion, s.status, s.reason, withdrawal.version],
    );
    return rowCount === 1;
  },
};

function values(w: Withdrawal): unknown[] {
  const s = w.state;
  return [
    s.accountId,
    s.customerId,
    s.amount.minorUnits.toString(),
    s.invoice,
    s.paymentHash,
    s.invoiceExpiresAt,
    s.status,
    s.reason,
    w.version,
  ];
}

export async function findWithdrawal(uow: UnitOfWork, id: string): Promise<Withdrawal | undefined> {
  const tracked = uow.tracked<Withdrawal>(withdrawalWriter.aggregateType, id);
  if (tracked) return tracked;
  const { rows } = await uow.read(`SELECT ${COLUMNS} FROM withdrawals WHERE id = $1`, [id]);
  const row = rows[0];
  if (!row) return undefined;
  const withdrawal = Withdrawal.restore(id, row.version, {
    accountId: row.account_id,
    customerId: row.customer_id,
    amount: satoshis(row.amount_minor),
    invoice: row.invoice,
    paymentHash: row.payment_hash,
    invoiceExpiresAt: row.invoice_expires_at,
    status: row.status as WithdrawalStatus,
    reason: row.reason,
  });
  return uow.track(withdrawal, withdrawalWriter);
}

export function addWithdrawal(uow: UnitOfWork, withdrawal: Withdrawal): void {
  uow.add(withdrawal, withdrawalWriter);
}
