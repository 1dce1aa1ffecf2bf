import { checkLedger, type LedgerCheck } from '../../src/accounting/queries.ts';
import type { Sql } from '../../src/platform/db/pools.ts';
import type { InvariantRow } from './invariant-row.ts';

export const POSTINGS_ROW = 'postings sum to zero, and balances equal their entries';

/**
 * Double entry: every posting's entries sum to zero (the deferred trigger refuses
 * anything else at commit, so a violation here means the trigger was bypassed), and
 * every account row's balance is the sum of its entries (the row is a cache of the
 * ledger, written in the same unit of work; the ledger is the truth).
 */
export function postingViolations(ledger: LedgerCheck): string[] {
  return [
    ...ledger.unbalancedPostings.map((p) => `posting does not sum to zero: ${JSON.stringify(p)}`),
    ...ledger.driftingAccounts.map((a) => `account drifts from its entries: ${JSON.stringify(a)}`),
  ];
}

export async function postingsRow(read: Sql): Promise<Omit<InvariantRow, 'name'>> {
  const ledger = await checkLedger(read);
  const { rows } = await read.query(
    'SELECT (SELECT count(*) FROM ledger_postings)::int AS postings, (SELECT count(*) FROM accounts)::int AS accounts',
  );
  return { checked: rows[0].postings + rows[0].accounts, violations: postingViolations(ledger) };
}
