import type { Sql } from '../../src/platform/db/pools.ts';
import type { InvariantRow } from './invariant-row.ts';
import { readPayouts, type PayoutRecord } from './orders.ts';

export const PAYOUT_LEDGER_ROW = 'ledger sale and payout postings = the payouts; earnings = scheduled payouts';

/** The ledger's accounts of card money (API.md, issue 13), per currency. */
const cardPayments = (currency: string) => `external:card-payments:${currency}`;
const earnings = (currency: string, sellerId: string) => `earnings:${currency}:${sellerId}`;
const fees = (currency: string) => `platform:fees:${currency}`;
const paidOut = (currency: string) => `external:payouts:${currency}`;
const CARD_MONEY_ACCOUNT = /^(external:card-payments:|external:payouts:|platform:fees:|earnings:)/;

interface PostingRecord {
  id: string;
  kind: 'sale' | 'payout';
  reference: string;
  currency: string;
  entries: Map<string, bigint>;
}

/**
 * The payouts table and the ledger tell one story: each payout has exactly one `sale`
 * posting (reference = its auction, in its currency: card payments −gross, the seller's
 * earnings +net, the platform's fees +fee, zero entries left out), and each paid payout
 * exactly one `payout` posting (reference = the payout: earnings −net, paid out +net); a
 * scheduled one has none, and no posting of either kind belongs to no payout. So, per
 * currency and seller, earnings hold exactly the nets of scheduled payouts, the fee
 * account the fees, card payments minus the grosses, paid out the nets of paid payouts.
 */
export function payoutLedgerViolations(
  payouts: readonly PayoutRecord[],
  postings: readonly PostingRecord[],
  balances: ReadonlyMap<string, bigint>,
): string[] {
  const violations: string[] = [];
  const byKey = new Map<string, PostingRecord[]>();
  for (const posting of postings)
    byKey.set(`${posting.kind}:${posting.reference}`, [...(byKey.get(`${posting.kind}:${posting.reference}`) ?? []), posting]);
  const claimed = new Set<string>();
  const expectedBalances = new Map<string, bigint>();
  const add = (account: string, amount: bigint) => expectedBalances.set(account, (expectedBalances.get(account) ?? 0n) + amount);

  const expectOne = (payout: PayoutRecord, kind: 'sale' | 'payout', reference: string, entries: [string, bigint][]) => {
    const key = `${kind}:${reference}`;
    claimed.add(key);
    const found = byKey.get(key) ?? [];
    const wanted = new Map(entries.filter(([, amount]) => amount !== 0n));
    const say = (what: string) => violations.push(`payout ${payout.id} (${payout.status}, auction ${payout.auctionId}): ${what}`);
    if (wanted.size < 2) {
      if (found.length > 0) say(`nothing to book, yet ${found.length} ${kind} posting(s)`);
      return;
    }
    if (found.length !== 1) {
      say(`${found.length} ${kind} postings with reference ${reference}, expected 1`);
      return;
    }
    const posting = found[0]!;
    if (posting.currency !== payout.currency)
      say(`its ${kind} posting ${posting.id} is in ${posting.currency}, the payout in ${payout.currency}`);
    const describe = (m: ReadonlyMap<string, bigint>) =>
      [...m]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([account, amount]) => `${account} ${amount}`)
        .join(', ');
    if (describe(posting.entries) !== describe(wanted))
      say(`its ${kind} posting ${posting.id} books ${describe(posting.entries)}; expected ${describe(wanted)}`);
  };

  for (const payout of payouts) {
    const { currency, sellerId, grossMinor: gross, feeMinor: fee, netMinor: net } = payout;
    expectOne(payout, 'sale', payout.auctionId, [
      [cardPayments(currency), -gross],
      [earnings(currency, sellerId), net],
      [fees(currency), fee],
    ]);
    add(cardPayments(currency), -gross);
    add(earnings(currency, sellerId), net);
    add(fees(currency), fee);
    if (payout.status === 'paid') {
      expectOne(payout, 'payout', payout.id, [
        [earnings(currency, sellerId), -net],
        [paidOut(currency), net],
      ]);
      add(earnings(currency, sellerId), -net);
      add(paidOut(currency), net);
    } else {
      const early = byKey.get(`payout:${payout.id}`) ?? [];
      claimed.add(`payout:${payout.id}`);
      if (early.length > 0)
        violations.push(`payout ${payout.id} is ${payout.status}, yet the ledger paid it out (posting ${early[0]!.id})`);
    }
  }
  for (const [key, found] of byKey) {
    if (!claimed.has(key))
      violations.push(
        `${found.length} ${key.split(':')[0]} posting(s) ${found.map((p) => p.id).join(', ')} with reference ${key.slice(key.indexOf(':') + 1)} belong to no payout`,
      );
  }
  for (const account of new Set([...balances.keys(), ...expectedBalances.keys()])) {
    const balance = balances.get(account) ?? 0n;
    const expected = expectedBalances.get(account) ?? 0n;
    if (balance !== expected) violations.push(`account ${account} holds ${balance} (minor units); the payouts say ${expected}`);
  }
  return violations;
}

export async function readCardMoneyLedger(read: Sql): Promise<{ postings: PostingRecord[]; balances: Map<string, bigint> }> {
  const { rows } = await read.query(
    `SELECT p.id::text AS id, p.kind, p.reference, p.currency, e.account_id, e.amount_minor::text AS amount
     FROM ledger_postings p JOIN ledger_entries e ON e.posting_id = p.id
     WHERE p.kind IN ('sale', 'payout') ORDER BY p.id`,
  );
  const postings = new Map<string, PostingRecord>();
  for (const r of rows) {
    const posting = postings.get(r.id) ?? { id: r.id, kind: r.kind, reference: r.reference, currency: r.currency, entries: new Map() };
    posting.entries.set(r.account_id, BigInt(r.amount));
    postings.set(r.id, posting);
  }
  const { rows: sums } = await read.query(
    `SELECT account_id, sum(amount_minor)::text AS balance FROM ledger_entries
     WHERE account_id LIKE 'external:card-payments:%' OR account_id LIKE 'external:payouts:%'
        OR account_id LIKE 'platform:fees:%' OR account_id LIKE 'earnings:%'
     GROUP BY account_id`,
  );
  const balances = new Map(sums.filter((s) => CARD_MONEY_ACCOUNT.test(s.account_id)).map((s) => [String(s.account_id), BigInt(s.balance)]));
  return { postings: [...postings.values()], balances };
}

export async function payoutLedgerRow(read: Sql): Promise<Omit<InvariantRow, 'name'>> {
  const [payouts, { postings, balances }] = await Promise.all([readPayouts(read), readCardMoneyLedger(read)]);
  return { checked: payouts.length + postings.length, violations: payoutLedgerViolations(payouts, postings, balances) };
}
