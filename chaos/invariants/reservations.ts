import { checkLedger, type LedgerCheck } from '../../src/accounting/queries.ts';
import type { ReservationStatus } from '../../src/accounting/domain.ts';
import type { WithdrawalStatus } from '../../src/bitcoin/domain.ts';
import type { Sql } from '../../src/platform/db/pools.ts';
import type { InvariantRow } from './invariant-row.ts';

export const RESERVATIONS_ROW = 'reserved = sum of open reservations';

/** An account's `reserved` is the sum of its held reservations (both are written in one unit of work). */
export function reservedViolations(ledger: LedgerCheck): string[] {
  return ledger.misreservedAccounts.map((a) => `account's reserved differs from its held reservations: ${JSON.stringify(a)}`);
}

/**
 * Which reservation a withdrawal has (reservations are keyed by the withdrawal's id), by
 * the withdrawal's status; `none` means no reservation row. Every transition of the two
 * happens in one unit of work (reserveWithdrawalFunds, settleIn, releaseIn), so a
 * quiescent platform never shows them apart: the open reservations are exactly the
 * accepted withdrawals'.
 */
const RESERVATION_BY_WITHDRAWAL_STATUS: Record<WithdrawalStatus, readonly (ReservationStatus | 'none')[]> = {
  // Reserving and accepting are one step: a pending withdrawal holds nothing yet.
  pending: ['none'],
  // Funds stay promised until the node's definite answer, however long it is pending.
  accepted: ['held'],
  // Settling the reservation and marking the withdrawal paid are one step.
  paid: ['settled'],
  // Too little available records a refused reservation; no account at all records none.
  rejected: ['refused', 'none'],
  // Released on the node's "no"; none when the saga was cancelled before it reserved.
  failed: ['released', 'none'],
};

export async function reservationsRow(read: Sql): Promise<Omit<InvariantRow, 'name'>> {
  const ledger = await checkLedger(read);
  const accounts = await read.query('SELECT count(*)::int AS n FROM accounts');
  const { rows: withdrawals } = await read.query(
    `SELECT w.id::text AS id, w.status, r.status AS reservation
     FROM withdrawals w LEFT JOIN reservations r ON r.id = w.id::text`,
  );
  const { rows: orphans } = await read.query(
    `SELECT r.id, r.status FROM reservations r LEFT JOIN withdrawals w ON w.id::text = r.id WHERE w.id IS NULL`,
  );
  const reservationCount = await read.query('SELECT count(*)::int AS n FROM reservations');
  const violations = reservedViolations(ledger);
  for (const w of withdrawals) {
    const expected = RESERVATION_BY_WITHDRAWAL_STATUS[w.status as WithdrawalStatus] ?? [];
    const found = (w.reservation ?? 'none') as ReservationStatus | 'none';
    if (!expected.includes(found)) {
      violations.push(
        `withdrawal ${w.id} is ${w.status} but its reservation is ${found} (expected ${expected.join(' or ') || 'no such status'})`,
      );
    }
  }
  for (const r of orphans) violations.push(`reservation ${r.id} (${r.status}) belongs to no withdrawal`);
  return { checked: accounts.rows[0].n + reservationCount.rows[0].n, violations };
}
