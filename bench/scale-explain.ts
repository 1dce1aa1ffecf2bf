/**
 * The plans of the statements a request really runs: the app's pools record each
 * statement (text and parameters) as the request runs it, then each is run again under
 * `EXPLAIN (ANALYZE, FORMAT JSON)` inside a transaction that is rolled back, so a
 * `FOR UPDATE` keeps no lock (writes are only planned: see below). Nothing in the SQL is
 * restated here, so the plans cannot drift from what the code runs.
 */
import type pg from 'pg';
import type { Pools } from '../src/platform/db/pools.ts';

export interface Recorded {
  text: string;
  values: unknown[];
}

type QueryArgs = [unknown, unknown?, ...unknown[]];

function statementOf(args: QueryArgs): Recorded | undefined {
  const [first, second] = args;
  if (typeof first === 'string') return { text: first, values: Array.isArray(second) ? second : [] };
  if (first && typeof first === 'object' && 'text' in first) {
    const config = first as { text: string; values?: unknown[] };
    return { text: config.text, values: config.values ?? (Array.isArray(second) ? second : []) };
  }
  return undefined;
}

/**
 * Makes the pools record the statements they run while `recording` is on (a pool's
 * own `query` checks a client out, so a statement may be seen twice: kept once).
 */
export function recordStatements(pools: Pools): { during<T>(work: () => Promise<T>): Promise<{ result: T; statements: Recorded[] }> } {
  let sink: Map<string, Recorded> | undefined;
  const record = (args: QueryArgs) => {
    const statement = sink && statementOf(args);
    if (statement && sink && !sink.has(statement.text)) sink.set(statement.text, statement);
  };
  const wrapQuery = (target: { query: (...args: QueryArgs) => unknown }) => {
    const original = target.query.bind(target);
    target.query = (...args: QueryArgs) => {
      record(args);
      return original(...args);
    };
  };
  for (const pool of [pools.write, pools.read]) {
    wrapQuery(pool as unknown as { query: (...args: QueryArgs) => unknown });
    pool.on('connect', (client: pg.PoolClient) => wrapQuery(client as unknown as { query: (...args: QueryArgs) => unknown }));
  }
  return {
    async during(work) {
      sink = new Map();
      try {
        const result = await work();
        return { result, statements: [...sink.values()] };
      } finally {
        sink = undefined;
      }
    },
  };
}

const CONTROL = /^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|SET|SHOW|LISTEN|UNLISTEN)\b/i;

export interface PlanSummary {
  statement: string;
  scans: string[];
  /** Seq Scans on tables above the threshold: what would not scale. */
  bigSeqScans: string[];
  /** Execution time, for the reads (run under ANALYZE). */
  ms?: number;
  analyzed: boolean;
}

/** Plans of the recorded statements, on a connection of `pool` (read-write, rolled back). */
export async function explainAll(pool: pg.Pool, statements: Recorded[], bigTables: Set<string>): Promise<PlanSummary[]> {
  const client = await pool.connect();
  const summaries: PlanSummary[] = [];
  try {
    for (const { text, values } of statements) {
      if (CONTROL.test(text)) continue;
      await client.query('BEGIN');
      try {
        // A write replayed would hit the unique keys its first run took (event and message
        // ids): writes are planned, not run; reads are run, for their real row counts.
        const analyze = /^\s*SELECT\b/i.test(text);
        const { rows } = await client.query(`EXPLAIN (${analyze ? 'ANALYZE, ' : ''}FORMAT JSON) ${text}`, values);
        const plan = (rows[0] as { 'QUERY PLAN': [{ Plan: PlanNode; 'Execution Time'?: number }] })['QUERY PLAN'][0];
        const scans: string[] = [];
        walk(plan.Plan, scans);
        summaries.push({
          statement: text.replace(/\s+/g, ' ').trim(),
          scans,
          bigSeqScans: scans.filter((s) => s.startsWith('Seq Scan') && bigTables.has(s.split(' on ')[1] ?? '')),
          ms: plan['Execution Time'],
          analyzed: analyze,
        });
      } finally {
        await client.query('ROLLBACK');
      }
    }
  } finally {
    client.release();
  }
  return summaries;
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function walk(node: PlanNode, scans: string[]): void {
  const type = node['Node Type'];
  if (node['Index Name']) scans.push(`${type} using ${node['Index Name']}${node['Relation Name'] ? ` on ${node['Relation Name']}` : ''}`);
  else if (node['Relation Name'] && /Scan/.test(type)) scans.push(`${type} on ${node['Relation Name']}`);
  for (const child of node.Plans ?? []) walk(child, scans);
}
