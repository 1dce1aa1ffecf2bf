import type { MoneyJson } from '../kernel/money.ts';
import type { Sql } from '../platform/db/pools.ts';
import { ACCOUNT_CURRENCY, satoshis } from './domain.ts';

export interface AccountView {
  id: string;
  balance: MoneyJson;
  reserved: MoneyJson;
  available: MoneyJson;
  version: number;
}

const sat = (minor: string | bigint) => satoshis(minor).toJSON();

/** The account's sums from its row; an account not opened yet reads as empty (version 0). */
export async function getAccount(read: Sql, id: string): Promise<AccountView> {
  const { rows } = await read.query(`SELECT balance_minor, reserved_minor, version FROM accounts WHERE id = $1`, [id]);
  const row = rows[0];
  if (!row) return { id, balance: sat(0n), reserved: sat(0n), available: sat(0n), version: 0 };
  const balance = BigInt(row.balance_minor);
  const reserved = BigInt(row.reserved_minor);
  return { id, balance: sat(balance), reserved: sat(reserved), available: sat(balance - reserved), version: row.version };
}

export interface TransferView {
  id: string;
  fromAccountId: string;
  toAccountId: string;
  amount: MoneyJson;
  createdAt: string;
}

/** The transfers an account sent or received, newest first (each is one `transfer` posting). */
export async function listTransfersOf(read: Sql, accountId: string, limit = 200): Promise<TransferView[]> {
  const { rows } = await read.query(
    `SELECT p.id, p.created_at, src.account_id AS from_id, dst.account_id AS to_id, dst.amount_minor
     FROM ledger_postings p
     JOIN ledger_entries src ON src.posting_id = p.id AND src.amount_minor < 0
     JOIN ledger_entries dst ON dst.posting_id = p.id AND dst.amount_minor > 0
     WHERE p.kind = 'transfer' AND p.id IN (SELECT posting_id FROM ledger_entries WHERE account_id = $1)
     ORDER BY p.created_at DESC LIMIT $2`,
    [accountId, limit],
  );
  return rows.map((r) => ({
    id: r.id,
    fromAccountId: r.from_id,
    toAccountId: r.to_id,
    amount: sat(r.amount_minor),
    createdAt: r.created_at.toISOString(),
  }));
}

export interface LedgerCheck {
  /** Postings whose entries do not sum to zero (must be empty). */
  unbalancedPostings: { postingId: string; sum: string }[];
  /** Accounts whose row disagrees with the sum of their entries (must be empty). */
  driftingAccounts: { accountId: string; balance: string; entries: string }[];
  /** Accounts whose reserved sum disagrees with their held reservations (must be empty). */
  misreservedAccounts: { accountId: string; reserved: string; held: string }[];
}

/** Audits the books: double entry holds, and every row's sums agree with the ledger. */
export async function checkLedger(read: Sql): Promise<LedgerCheck> {
  const unbalanced = await read.query(
    `SELECT p.id, COALESCE(SUM(e.amount_minor), 0)::text AS sum
     FROM ledger_postings p LEFT JOIN ledger_entries e ON e.posting_id = p.id
     GROUP BY p.id HAVING COALESCE(SUM(e.amount_minor), 0) <> 0 OR COUNT(e.*) < 2`,
  );
  const drifting = await read.query(
    `SELECT a.id, a.balance_minor::text AS balance, COALESCE(SUM(e.amount_minor), 0)::text AS entries
     FROM accounts a LEFT JOIN ledger_entries e ON e.account_id = a.id
     GROUP BY a.id, a.balance_minor HAVING a.balance_minor <> COALESCE(SUM(e.amount_minor), 0)`,
  );
  const misreserved = await read.query(
    `SELECT a.id, a.reserved_minor::text AS reserved, COALESCE(SUM(r.amount_minor) FILTER (WHERE r.status = 'held'), 0)::text AS held
     FROM accounts a LEFT JOIN reservations r ON r.account_id = a.id
     GROUP BY a.id, a.reserved_minor HAVING a.reserved_minor <> COALESCE(SUM(r.amount_minor) FILTER (WHERE r.status = 'held'), 0)`,
  );
  return {
    unbalancedPostings: unbalanced.rows.map((r) => ({ postingId: r.id, sum: r.sum })),
    driftingAccounts: drifting.rows.map((r) => ({ accountId: r.id, balance: r.balance, entries: r.entries })),
    misreservedAccounts: misreserved.rows.map((r) => ({ accountId: r.id, reserved: r.reserved, held: r.held })),
  };
}
