/**
 * Outbox drain rate: a backlog of committed messages (RELAY_BACKLOG, default 100,000)
 * moved through the real OutboxRelay (src/platform/db/outbox-relay.ts) to the real
 * message bus with no subscribers, against a bare loop of `SELECT … FOR UPDATE SKIP
 * LOCKED` and one marking UPDATE per batch, with the same batch size, the same WHERE
 * (pending and due) and the same dispatch function, in the same run.
 * Both sides drain an identical backlog: the outbox is emptied, refilled through the
 * platform's own writer (`enqueueMessages`, a thousand per transaction) and vacuumed
 * before every round, outside the timing. Afterwards every message must have been
 * delivered exactly once and marked dispatched once, else the bench fails.
 */
import { MessageBus } from '../src/platform/bus/message-bus.ts';
import { standardMiddleware } from '../src/platform/bus/middleware.ts';
import { enqueueMessages, type Message } from '../src/platform/db/outbox.ts';
import { OutboxRelay } from '../src/platform/db/outbox-relay.ts';
import { checkout, createPools, release, type Pools } from '../src/platform/db/pools.ts';
import { runInUnitOfWork } from '../src/platform/db/unit-of-work.ts';
import { silentLogger } from '../src/platform/log.ts';
import { benchPostgres, compare } from './support.ts';

/** `RELAY_BACKLOG=n npm run bench -- relay` for a quicker run. */
const BACKLOG = Number(process.env.RELAY_BACKLOG ?? 100_000);
/** The relay's own default batch, so the figure is what production gets. */
const BATCH_SIZE = 50;
const ROUNDS = 3;
/** Messages per filling transaction: big enough to fill fast, small enough to keep each statement modest. */
const FILL_CHUNK = 1000;

export interface RelayOptions {
  backlog: number;
  batchSize: number;
  /** Measured rounds per side, after a warm-up of a tenth of the backlog each. */
  rounds: number;
}

export interface RelayResult {
  /** Median messages/s of the measured rounds. */
  relay: number;
  baseline: number;
  ratio: number;
  /** Messages delivered and verified (delivered once, marked once), warm-up included. */
  verified: { relay: number; baseline: number };
}

/**
 * The baseline's claim: the relay's WHERE, in the order of the index the schema keeps for
 * exactly these rows (`outbox_pending`, on `(available_at, id)` of pending rows), so each
 * claim reads the next due rows instead of walking past the dispatched ones.
 */
const CLAIM = `SELECT id, message_id, message_type, payload, attempts FROM outbox
  WHERE dispatched_at IS NULL AND available_at <= now() ORDER BY available_at, id LIMIT $1 FOR UPDATE SKIP LOCKED`;
const MARK = `UPDATE outbox SET attempts = attempts + 1, dispatched_at = now() WHERE id = ANY($1::bigint[])`;
const RETRY_LATER = `UPDATE outbox SET attempts = attempts + 1, last_error = $2,
  available_at = now() + make_interval(secs => $3::double precision / 1000) WHERE id = $1`;

/** A realistic message: an event's payload with its envelope, as the unit of work writes it (~300 bytes). */
function messageOf(n: number, tag: string): Message {
  return {
    id: crypto.randomUUID(),
    type: 'BenchBidPlaced',
    payload: {
      aggregateType: 'Auction',
      aggregateId: crypto.randomUUID(),
      aggregateVersion: 1 + (n % 40),
      bidId: crypto.randomUUID(),
      bidderId: `bench-bidder-${tag}-${n % 500}`,
      amount: { amount: `${1 + (n % 900)}.00`, currency: 'USD' },
      placedAt: new Date(1_700_000_000_000 + n * 1000).toISOString(),
    },
  };
}

export async function measureRelay(pools: Pools, options: RelayOptions): Promise<RelayResult> {
  const pool = pools.write;
  // The real bus, as the relay process builds it, with nobody subscribed: what remains is the bus's own cost.
  const bus = new MessageBus(standardMiddleware(pool, silentLogger));
  const verified = { relay: 0, baseline: 0 };

  /** Empties the outbox and fills it with `count` new messages; returns their ids. Not timed. */
  const fill = async (count: number): Promise<Set<string>> => {
    await pool.query('TRUNCATE outbox');
    const tag = crypto.randomUUID().slice(0, 8);
    const ids = new Set<string>();
    for (let start = 0; start < count; start += FILL_CHUNK) {
      const chunk = Array.from({ length: Math.min(FILL_CHUNK, count - start) }, (_, i) => messageOf(start + i, tag));
      for (const m of chunk) ids.add(m.id);
      await runInUnitOfWork(pool, (uow) => enqueueMessages(uow.sql, chunk));
    }
    // Both sides start from fresh statistics and no dead rows, whatever the side before left.
    await pool.query('VACUUM ANALYZE outbox');
    return ids;
  };

  /** Every id delivered once, and the table agrees: each row dispatched, once. */
  const check = async (side: keyof typeof verified, expected: Set<string>, delivered: string[]) => {
    const problems: string[] = [];
    const seen = new Set(delivered);
    if (delivered.length !== expected.size) problems.push(`${delivered.length} deliveries of ${expected.size} messages`);
    if (seen.size !== delivered.length) problems.push(`${delivered.length - seen.size} messages delivered twice`);
    for (const id of expected) {
      if (!seen.has(id)) {
        problems.push(`message ${id} never delivered`);
        break;
      }
    }
    const { rows } = await pool.query<{ pending: number; dispatched: number; marked_once: number }>(
      `SELECT count(*) FILTER (WHERE dispatched_at IS NULL)::int AS pending,
              count(*) FILTER (WHERE dispatched_at IS NOT NULL)::int AS dispatched,
              count(*) FILTER (WHERE attempts = 1)::int AS marked_once FROM outbox`,
    );
    const row = rows[0]!;
    if (row.pending !== 0 || row.dispatched !== expected.size || row.marked_once !== expected.size) {
      problems.push(
        `outbox: ${row.pending} pending, ${row.dispatched} dispatched, ${row.marked_once} with one attempt, of ${expected.size}`,
      );
    }
    if (problems.length > 0) throw new Error(`relay bench (${side}): ${problems.join('; ')}`);
    verified[side] += expected.size;
  };

  const throughRelay = async (count: number): Promise<number> => {
    const expected = await fill(count);
    const delivered: string[] = [];
    let drained!: () => void;
    const done = new Promise<void>((resolve) => (drained = resolve));
    const relay = new OutboxRelay({
      pool,
      logger: silentLogger,
      batchSize: options.batchSize,
      dispatch: async (message) => {
        await bus.dispatch(message);
        if (delivered.push(message.id) === count) drained();
      },
    });
    const started = performance.now();
    await relay.start();
    await done;
    // Stopping lets the batch in hand commit: only then is the last message marked.
    await relay.stop();
    const rate = count / ((performance.now() - started) / 1000);
    await check('relay', expected, delivered);
    return rate;
  };

  const bareLoop = async (count: number): Promise<number> => {
    const expected = await fill(count);
    const delivered: string[] = [];
    const started = performance.now();
    while (delivered.length < count) {
      const client = await checkout(pool);
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const { rows } = await client.query<{
          id: string;
          message_id: string;
          message_type: string;
          payload: Record<string, unknown>;
          attempts: number;
        }>({ name: 'bench.relay.claim', text: CLAIM, values: [options.batchSize] });
        const done: string[] = [];
        for (const row of rows) {
          try {
            await bus.dispatch({ id: row.message_id, type: row.message_type, payload: row.payload });
          } catch (error) {
            // The same promise as the relay's: a failed message waits and is tried again.
            await client.query({
              name: 'bench.relay.retry',
              text: RETRY_LATER,
              values: [row.id, String(error), 250 * 2 ** (row.attempts + 1)],
            });
            continue;
          }
          done.push(row.id);
          delivered.push(row.message_id);
        }
        if (done.length > 0) await client.query({ name: 'bench.relay.mark', text: MARK, values: [done] });
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch((rollbackError: Error) => void (broken = rollbackError));
        throw error;
      } finally {
        release(client, broken);
      }
    }
    const rate = count / ((performance.now() - started) / 1000);
    await check('baseline', expected, delivered);
    return rate;
  };

  // Warm-up: JIT, connections, prepared statements, the table's first pages.
  const warmUp = Math.max(options.batchSize * 4, Math.ceil(options.backlog / 10));
  await throughRelay(warmUp);
  await bareLoop(warmUp);
  const result = await compare({ ours: () => throughRelay(options.backlog), baseline: () => bareLoop(options.backlog) }, options.rounds);
  return { relay: result.ours, baseline: result.baseline, ratio: result.ratio, verified };
}

export async function run(): Promise<void> {
  console.log(
    `relay: a backlog of ${BACKLOG} outbox messages drained in batches of ${BATCH_SIZE} by the OutboxRelay into the bus (no subscribers) ` +
      `vs a bare SELECT … FOR UPDATE SKIP LOCKED loop marking each batch in one UPDATE, ${ROUNDS} alternating rounds per side`,
  );
  const postgres = await benchPostgres();
  const pools = createPools(postgres.url, { max: 4, applicationName: 'bench' });
  try {
    const r = await measureRelay(pools, { backlog: BACKLOG, batchSize: BATCH_SIZE, rounds: ROUNDS });
    console.log(`OutboxRelay: ${r.relay.toFixed(0)} messages/s`);
    console.log(`bare claim-and-mark loop: ${r.baseline.toFixed(0)} messages/s`);
    console.log(
      `verified: ${r.verified.relay} relayed and ${r.verified.baseline} baseline messages, each delivered once and marked dispatched once`,
    );
    console.log(`ratio=${r.ratio.toFixed(2)}`);
  } finally {
    await pools.end();
    await postgres.stop();
  }
}
