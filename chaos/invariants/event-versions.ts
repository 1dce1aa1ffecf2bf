import type { Sql } from '../../src/platform/db/pools.ts';
import type { InvariantRow } from './invariant-row.ts';

export const EVENT_VERSIONS_ROW = 'event versions gap-free per aggregate';

/**
 * Where each aggregate type keeps its versioned row. Each event advances its aggregate's
 * version by one, and the row is written in the same unit of work, so the row's version
 * is its newest event's (README, "Architecture").
 */
const TABLE_BY_AGGREGATE_TYPE: Readonly<Record<string, string>> = {
  Auction: 'auctions',
  Payment: 'payments',
  DeliveryTransaction: 'delivery_transactions',
  ServiceTransaction: 'service_transactions',
  Withdrawal: 'withdrawals',
  Account: 'accounts',
  Ping: 'diagnostic_pings',
  Payout: 'payouts',
};

/**
 * Every aggregate's history is versions 1..n, one aggregate type per id, and its row
 * stands at version n: a gap is a lost event, a row ahead of its history a write without
 * its event, a row behind it an event without its write.
 */
export async function eventVersionsRow(read: Sql): Promise<Omit<InvariantRow, 'name'>> {
  const { rows: histories } = await read.query(
    `SELECT aggregate_id, array_agg(DISTINCT aggregate_type) AS types, count(*)::int AS events,
            min(aggregate_version) AS first, max(aggregate_version) AS last
     FROM event_store GROUP BY aggregate_id`,
  );
  const violations: string[] = [];
  for (const h of histories) {
    if (h.types.length > 1) violations.push(`aggregate ${h.aggregate_id} has events of ${h.types.length} types: ${h.types.join(', ')}`);
    if (h.first !== 1 || h.last !== h.events) {
      violations.push(
        `aggregate ${h.aggregate_id} (${h.types.join(', ')}) has ${h.events} events at versions ${h.first}..${h.last}: not 1..${h.events}`,
      );
    }
  }
  for (const [type, table] of Object.entries(TABLE_BY_AGGREGATE_TYPE)) {
    const { rows } = await read.query(
      `SELECT coalesce(t.id::text, e.aggregate_id) AS id, t.version AS row_version, e.last AS event_version
       FROM ${table} t
       FULL JOIN (SELECT aggregate_id, max(aggregate_version) AS last FROM event_store WHERE aggregate_type = $1 GROUP BY aggregate_id) e
         ON e.aggregate_id = t.id::text
       WHERE t.version IS DISTINCT FROM e.last`,
      [type],
    );
    for (const r of rows) {
      violations.push(
        r.row_version === null
          ? `${type} ${r.id} has events up to version ${r.event_version} but no row`
          : `${type} ${r.id} stands at version ${r.row_version} but its newest event is ${r.event_version === null ? 'none' : `version ${r.event_version}`}`,
      );
    }
  }
  return { checked: histories.length, violations };
}
