import type { Sql } from '../../src/platform/db/pools.ts';
import type { InvariantRow } from './invariant-row.ts';

export const ESCROW_ROW = 'escrow = open donations; refunded + paid out = donated';

/**
 * The crowdfunding invariants (docs/design.md, property 11), per campaign:
 * - the escrow's ledger entries, the campaign's `escrow` and its held donations agree;
 * - raised = held + refunded + released donations;
 * - every refunded donation has exactly one refund posting of its amount, and the owner's
 *   one release posting equals the released donations;
 * - an open campaign has refunded or released nothing; a closed one holds nothing once its
 *   saga is done (failed and cancelled refund everything, succeeded releases everything).
 * `settled`: the platform is quiescent, so closed campaigns must be empty by now.
 */
export async function escrowViolations(read: Sql, options: { settled: boolean } = { settled: true }): Promise<string[]> {
  const { rows } = await read.query(
    `SELECT c.id, c.status, c.raised_minor::text AS raised, c.escrow_minor::text AS escrow,
       COALESCE((SELECT SUM(e.amount_minor) FROM ledger_entries e WHERE e.account_id = 'escrow:campaign:' || c.id), 0)::text AS entries,
       COALESCE(SUM(d.amount_minor) FILTER (WHERE d.status = 'held'), 0)::text AS held,
       COALESCE(SUM(d.amount_minor) FILTER (WHERE d.status = 'refunded'), 0)::text AS refunded,
       COALESCE(SUM(d.amount_minor) FILTER (WHERE d.status = 'released'), 0)::text AS released,
       COALESCE(SUM(d.amount_minor), 0)::text AS donated,
       COALESCE((SELECT SUM(p.amount) FROM (SELECT e.amount_minor AS amount FROM ledger_postings lp
          JOIN ledger_entries e ON e.posting_id = lp.id AND e.amount_minor > 0
          WHERE lp.kind = 'escrow-release' AND lp.currency = 'SAT' AND lp.reference = c.id::text) p), 0)::text AS paid_out
     FROM campaigns c LEFT JOIN donations d ON d.campaign_id = c.id
     GROUP BY c.id`,
  );
  const violations: string[] = [];
  for (const c of rows) {
    const say = (what: string) => violations.push(`campaign ${c.id} (${c.status}): ${what}`);
    if (c.escrow !== c.entries || c.escrow !== c.held) say(`escrow ${c.escrow}, its ledger entries ${c.entries}, held donations ${c.held}`);
    if (c.raised !== c.donated) say(`raised ${c.raised} but donations sum to ${c.donated}`);
    if (c.paid_out !== c.released) say(`paid out ${c.paid_out} to the owner but released donations sum to ${c.released}`);
    if (c.status === 'open' && (c.refunded !== '0' || c.released !== '0'))
      say(`open, yet refunded ${c.refunded} and released ${c.released}`);
    if (c.status !== 'succeeded' && c.released !== '0') say(`released ${c.released} to the owner without succeeding`);
    if (c.status === 'succeeded' && c.refunded !== '0') say(`succeeded, yet refunded ${c.refunded}`);
    if (options.settled && c.status !== 'open' && c.escrow !== '0') say(`closed, yet its escrow still holds ${c.escrow}`);
  }
  const refunds = await read.query(
    `SELECT d.id, d.status, d.amount_minor::text AS amount, count(e.*)::int AS postings, COALESCE(SUM(e.amount_minor), 0)::text AS credited
     FROM donations d
     LEFT JOIN ledger_postings lp ON lp.kind = 'donation-refund' AND lp.currency = 'SAT' AND lp.reference = d.id::text
     LEFT JOIN ledger_entries e ON e.posting_id = lp.id AND e.account_id = d.donor_id
     GROUP BY d.id HAVING (d.status = 'refunded') <> (count(e.*) = 1) OR (d.status = 'refunded' AND SUM(e.amount_minor) <> d.amount_minor)`,
  );
  for (const d of refunds.rows)
    violations.push(`donation ${d.id} (${d.status}, ${d.amount}) has ${d.postings} refund posting(s) crediting ${d.credited}`);
  return violations;
}

export async function escrowRow(read: Sql): Promise<Omit<InvariantRow, 'name'>> {
  const { rows } = await read.query('SELECT (SELECT count(*) FROM campaigns)::int + (SELECT count(*) FROM donations)::int AS n');
  return { checked: rows[0].n, violations: await escrowViolations(read) };
}
