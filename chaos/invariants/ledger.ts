import { checkLedger, type LedgerCheck } from '../../src/accounting/queries.ts';
import type { Sql } from '../../src/platform/db/pools.ts';
import type { InvariantRow } from './invariant-row.ts';

export const POSTINGS_ROW = 'postings sum to zero, each in one currency, and balances equal their entries';

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

/**
 * Since card money entered the ledger (sales and payouts in USD/EUR, issue 13), one ledger
 * holds several currencies, and nothing may mix them: a posting's entries are all in its
 * currency. A SAT posting moves customers' SAT accounts and SAT system accounts (named
 * without a currency); a card-money posting moves only accounts named with its currency
 * (`earnings:USD:…`, `platform:fees:EUR`), never a customer's SAT account. And each
 * currency's entries sum to zero on their own.
 */
export async function currencyViolations(read: Sql): Promise<string[]> {
  const { rows } = await read.query(
    `SELECT p.id::text AS id, p.kind, p.currency, e.account_id, (a.id IS NOT NULL) AS customer_account
     FROM ledger_postings p JOIN ledger_entries e ON e.posting_id = p.id LEFT JOIN accounts a ON a.id = e.account_id`,
  );
  const violations: string[] = [];
  for (const r of rows) {
    const segments = String(r.account_id).split(':');
    const named = CARD_CURRENCIES.filter((c) => segments.includes(c));
    const fits = r.currency === 'SAT' ? named.length === 0 : !r.customer_account && named.length === 1 && named[0] === r.currency;
    if (!fits)
      violations.push(`${r.kind} posting ${r.id} in ${r.currency} moves account ${r.account_id}, which is not a ${r.currency} account`);
  }
  const { rows: sums } = await read.query(
    `SELECT p.currency, sum(e.amount_minor)::text AS total FROM ledger_postings p JOIN ledger_entries e ON e.posting_id = p.id
     GROUP BY p.currency HAVING sum(e.amount_minor) <> 0`,
  );
  for (const s of sums) violations.push(`the ${s.currency} entries sum to ${s.total}, not zero`);
  return violations;
}

/** Currencies of card money: an account that holds it names its currency as one segment of its id. */
const CARD_CURRENCIES = ['USD', 'EUR'];

export async function postingsRow(read: Sql): Promise<Omit<InvariantRow, 'name'>> {
  const ledger = await checkLedger(read);
  const { rows } = await read.query(
    'SELECT (SELECT count(*) FROM ledger_postings)::int AS postings, (SELECT count(*) FROM accounts)::int AS accounts',
  );
  return { checked: rows[0].postings + rows[0].accounts, violations: [...postingViolations(ledger), ...(await currencyViolations(read))] };
}
