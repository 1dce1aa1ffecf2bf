/**
 * Versioned-write transactions per second through the unit of work, against raw `pg`
 * running the same SQL in the same run: BEGIN; read the row; versioned UPDATE; append
 * the event; insert the outbox row; NOTIFY; COMMIT. Each writer owns its row, so the
 * comparison measures the abstraction's cost, not lock contention.
 */
import { createPools } from '../src/platform/db/pools.ts';
import { OUTBOX_CHANNEL } from '../src/platform/db/outbox-channel.ts';
import { runInUnitOfWork } from '../src/platform/db/unit-of-work.ts';
import { COUNTERS_TABLE, counterWriter, loadCounter, Counter } from '../test/support/counter.ts';
import { benchPostgres, compare, throughput } from './support.ts';

const WRITERS = 8;

/**
 * What src/platform/db/record-changes.ts sends, written out for the baseline: events and
 * messages with their origin (correlation and causation ids) and the message's trace.
 */
const RECORD_SQL = `WITH appended AS (
    INSERT INTO event_store (event_id, aggregate_type, aggregate_id, aggregate_version, event_type, payload, correlation_id, causation_id)
    SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $5::text[], $6::jsonb[], $11::text[], $12::text[])
  ), enqueued AS (
    INSERT INTO outbox (message_id, message_type, payload, correlation_id, causation_id, trace_parent)
    SELECT *, $15::text FROM unnest($7::uuid[], $8::text[], $9::jsonb[], $13::text[], $14::text[])
  )
  SELECT pg_notify($10, NULL) WHERE cardinality($7::uuid[]) > 0`;
const TRANSACTIONS = 2000;

export async function run(): Promise<void> {
  console.log(`uow: ${TRANSACTIONS} versioned-write transactions per round, ${WRITERS} concurrent writers, own row each`);
  const postgres = await benchPostgres();
  const pools = createPools(postgres.url, { max: WRITERS, applicationName: 'bench' });
  const pool = pools.write;
  try {
    await pool.query(COUNTERS_TABLE);
    const ids: string[] = [];
    for (let i = 0; i < WRITERS; i++) {
      const counter = Counter.create();
      await runInUnitOfWork(pool, async (uow) => void uow.add(counter, counterWriter));
      ids.push(counter.id);
    }
    const rowFor = (writer: number) => ids[writer]!;

    const throughUnitOfWork = () =>
      throughput(TRANSACTIONS, WRITERS, (i) =>
        runInUnitOfWork(pool, async (uow) => {
          (await loadCounter(uow, rowFor(i))).increment();
        }),
      );

    const rawPg = () =>
      throughput(TRANSACTIONS, WRITERS, async (i) => {
        const id = rowFor(i);
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          const { rows } = await client.query({
            name: 'raw.read',
            text: 'SELECT value, version FROM test_counters WHERE id = $1', // as loadCounter sends it
            values: [id],
          });
          const { value, version } = rows[0];
          const updated = await client.query({
            name: 'raw.update',
            text: 'UPDATE test_counters SET value = $3, version = $4 WHERE id = $1 AND version = $2',
            values: [id, version, value + 1, version + 1],
          });
          if (updated.rowCount !== 1) throw new Error('conflict');
          // The unit of work's own statement for events, outbox and NOTIFY, by hand.
          const eventId = crypto.randomUUID();
          const payload = { aggregateType: 'Counter', aggregateId: id, aggregateVersion: version + 1, by: 1 };
          await client.query({
            name: 'raw.record',
            text: RECORD_SQL,
            values: [
              [eventId],
              ['Counter'],
              [id],
              [version + 1],
              ['CounterIncremented'],
              [JSON.stringify({ by: 1 })],
              [eventId],
              ['CounterIncremented'],
              [JSON.stringify(payload)],
              OUTBOX_CHANNEL,
              [null], // no message context here, so no origin, as in the unit of work
              [null],
              [null],
              [null],
              null,
            ],
          });
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw error;
        } finally {
          client.release();
        }
      });

    await throughUnitOfWork(); // warm-up: JIT, connections, caches
    await rawPg();
    const result = await compare({ ours: throughUnitOfWork, baseline: rawPg });
    console.log(`unit of work: ${result.ours.toFixed(0)} tx/s`);
    console.log(`raw pg baseline: ${result.baseline.toFixed(0)} tx/s`);
    console.log(`ratio=${result.ratio.toFixed(2)}`);
  } finally {
    await pools.end();
    await postgres.stop();
  }
}
