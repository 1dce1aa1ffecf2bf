import type { Sql } from '../src/platform/db/pools.ts';

/** How the run's orders ended, for the report: deliveries and vouchers by status, payouts by status and currency. */
export async function orderFigures(read: Sql): Promise<Record<string, number>> {
  const { rows } = await read.query(
    `SELECT 'delivery ' || status AS what, count(*)::int AS n FROM delivery_transactions GROUP BY status
     UNION ALL SELECT 'voucher ' || status, count(*)::int FROM service_transactions GROUP BY status
     UNION ALL SELECT 'payout ' || status || ' (' || currency || ')', count(*)::int FROM payouts GROUP BY status, currency`,
  );
  return Object.fromEntries(rows.map((r) => [String(r.what), Number(r.n)]));
}
