import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConcurrencyConflict } from '../../src/kernel/errors.ts';
import { retryOnConflict } from '../../src/platform/db/retry-on-conflict.ts';
import { runInUnitOfWork, type UnitOfWork } from '../../src/platform/db/unit-of-work.ts';
import { COUNTERS_TABLE, Counter, counterWriter, loadCounter, readCounter } from '../support/counter.ts';
import { createTestDatabase } from '../support/test-env.ts';

let db: Awaited<ReturnType<typeof createTestDatabase>>;

beforeAll(async () => {
  db = await createTestDatabase();
  await db.pools.write.query(COUNTERS_TABLE);
});
afterAll(() => db.drop());

async function rowsFor(id: string) {
  const sql = db.pools.read;
  const counter = await sql.query('SELECT value, version FROM test_counters WHERE id = $1', [id]);
  const events = await sql.query(
    'SELECT event_id, aggregate_version, event_type FROM event_store WHERE aggregate_id = $1 ORDER BY aggregate_version',
    [id],
  );
  const outbox = await sql.query(`SELECT message_id, message_type, payload FROM outbox WHERE payload->>'aggregateId' = $1 ORDER BY id`, [
    id,
  ]);
  return { counter: counter.rows[0], events: events.rows, outbox: outbox.rows };
}

describe('unit of work', () => {
  it('commits the aggregate, its events and the outbox together', async () => {
    const counter = Counter.create();
    await runInUnitOfWork(db.pools.write, async (uow) => {
      uow.add(counter, counterWriter);
      counter.increment(5);
    });

    const { counter: row, events, outbox } = await rowsFor(counter.id);
    expect(row).toEqual({ value: 5, version: 2 });
    expect(events.map((e) => [e.aggregate_version, e.event_type])).toEqual([
      [1, 'CounterCreated'],
      [2, 'CounterIncremented'],
    ]);
    // The outbox carries the same events under the same ids, with their origin.
    expect(outbox.map((m) => m.message_id)).toEqual(events.map((e) => e.event_id));
    expect(outbox[1]).toMatchObject({
      message_type: 'CounterIncremented',
      payload: { aggregateType: 'Counter', aggregateVersion: 2, by: 5 },
    });
    expect(counter.version).toBe(2);
    expect(counter.pendingEvents).toHaveLength(0);
  });

  it('rolls back the aggregate, its events and the outbox when anything fails', async () => {
    const counter = Counter.create();
    await runInUnitOfWork(db.pools.write, async (uow) => void uow.add(counter, counterWriter));
    const failingWriter = { ...counterWriter, insert: async () => Promise.reject(new Error('disk full')) };

    await expect(
      runInUnitOfWork(db.pools.write, async (uow) => {
        (await loadCounter(uow, counter.id)).increment(); // flushed first, inside the transaction…
        uow.add(Counter.create(), failingWriter); // …then this write fails
      }),
    ).rejects.toThrow('disk full');

    const { counter: row, events, outbox } = await rowsFor(counter.id); // …and the first write is gone too
    expect(row).toEqual({ value: 0, version: 1 });
    expect(events).toHaveLength(1);
    expect(outbox).toHaveLength(1);
  });

  it('lets exactly one of two writers of the same version win', async () => {
    const counter = Counter.create();
    await runInUnitOfWork(db.pools.write, async (uow) => void uow.add(counter, counterWriter));

    // Both read version 1 before either writes.
    let release!: () => void;
    const bothLoaded = new Promise<void>((resolve) => (release = resolve));
    let loaded = 0;
    const writer = () =>
      runInUnitOfWork(db.pools.write, async (uow) => {
        const c = await loadCounter(uow, counter.id);
        if (++loaded === 2) release();
        await bothLoaded;
        c.increment();
      });
    const results = await Promise.allSettled([writer(), writer()]);

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toBeInstanceOf(ConcurrencyConflict);
    expect((await rowsFor(counter.id)).counter).toEqual({ value: 1, version: 2 });
  });

  it('loses no update when 50 writers increment at once through the retry helper', async () => {
    const counter = Counter.create();
    await runInUnitOfWork(db.pools.write, async (uow) => void uow.add(counter, counterWriter));

    await Promise.all(
      Array.from({ length: 50 }, () =>
        retryOnConflict(() => runInUnitOfWork(db.pools.write, async (uow) => (await loadCounter(uow, counter.id)).increment()), {
          attempts: 100,
        }),
      ),
    );

    const { counter: row, events } = await rowsFor(counter.id);
    expect(row).toEqual({ value: 50, version: 51 });
    // One event per increment, versions consecutive: nothing lost, nothing doubled.
    expect(events.map((e) => e.aggregate_version)).toEqual(Array.from({ length: 51 }, (_, i) => i + 1));
  });

  it('gives up after the configured number of tries and reports the conflict', async () => {
    let tries = 0;
    await expect(
      retryOnConflict(
        async () => {
          tries++;
          throw new ConcurrencyConflict('Counter', 'x', 1);
        },
        { attempts: 3, baseDelayMs: 1 },
      ),
    ).rejects.toBeInstanceOf(ConcurrencyConflict);
    expect(tries).toBe(3);
  });

  it('reports inserting an id that already exists as a concurrency conflict', async () => {
    const counter = Counter.create();
    await runInUnitOfWork(db.pools.write, async (uow) => void uow.add(counter, counterWriter));
    await expect(
      runInUnitOfWork(db.pools.write, async (uow) => void uow.add(Counter.create(counter.id), counterWriter)),
    ).rejects.toBeInstanceOf(ConcurrencyConflict);
  });
});

describe('unit of work: the transaction begins where it is needed', () => {
  /** True when the statement is the first of its transaction: Postgres gives both clocks the same value then. */
  const firstOfItsTransaction = async (uow: UnitOfWork) =>
    (await uow.read<{ first: boolean }>('SELECT transaction_timestamp() = statement_timestamp() AS first')).rows[0]!.first;

  const storedCounter = async () => {
    const counter = Counter.create();
    await runInUnitOfWork(db.pools.write, async (uow) => void uow.add(counter, counterWriter));
    return counter;
  };

  it('reads on their own until something needs the transaction, then inside it, seeing its writes', async () => {
    const counter = await storedCounter();
    const seen: { first: boolean[]; inTransaction: boolean[]; value?: number } = { first: [], inTransaction: [] };
    await runInUnitOfWork(db.pools.write, async (uow) => {
      await readCounter(uow, counter.id);
      seen.first.push(await firstOfItsTransaction(uow));
      seen.inTransaction.push(uow.inTransaction);
      await uow.sql.query('UPDATE test_counters SET value = 41 WHERE id = $1', [counter.id]);
      await new Promise((resolve) => setTimeout(resolve, 5)); // so the transaction's clock and the next statement's differ
      seen.first.push(await firstOfItsTransaction(uow));
      seen.inTransaction.push(uow.inTransaction);
      seen.value = (await uow.read<{ value: number }>('SELECT value FROM test_counters WHERE id = $1', [counter.id])).rows[0]!.value;
    });
    expect(seen).toEqual({ first: [true, false], inTransaction: [false, true], value: 41 });
  });

  it('sends no BEGIN or COMMIT for a unit of work that only reads', async () => {
    const counter = await storedCounter();
    let opened: UnitOfWork | undefined;
    const value = await runInUnitOfWork(db.pools.write, async (uow) => {
      opened = uow;
      return (await readCounter(uow, counter.id)).value;
    });
    expect(value).toBe(0);
    expect(opened!.inTransaction).toBe(false);
  });

  it('writes one changed hot aggregate, its events and its outbox messages in one statement of their own', async () => {
    const counter = await storedCounter();
    let opened: UnitOfWork | undefined;
    await runInUnitOfWork(db.pools.write, async (uow) => {
      opened = uow;
      (await readCounter(uow, counter.id)).increment(3);
    });
    expect(opened!.inTransaction).toBe(false);
    const { counter: row, events, outbox } = await rowsFor(counter.id);
    expect(row).toEqual({ value: 3, version: 2 });
    expect(events.map((e) => e.event_type)).toEqual(['CounterCreated', 'CounterIncremented']);
    expect(outbox.map((m) => m.message_type)).toEqual(['CounterCreated', 'CounterIncremented']);
  });

  it('records nothing when that one statement loses the race, even where no event holds the newer version', async () => {
    const counter = await storedCounter();
    await expect(
      runInUnitOfWork(db.pools.write, async (uow) => {
        const loaded = await readCounter(uow, counter.id);
        // Another writer moves the row on without an event at the version this one would record.
        await db.pools.write.query('UPDATE test_counters SET version = version + 1 WHERE id = $1', [counter.id]);
        loaded.increment();
      }),
    ).rejects.toBeInstanceOf(ConcurrencyConflict);
    const { counter: row, events, outbox } = await rowsFor(counter.id);
    expect(row).toEqual({ value: 0, version: 2 });
    expect(events.map((e) => e.event_type)).toEqual(['CounterCreated']);
    expect(outbox.map((m) => m.message_type)).toEqual(['CounterCreated']);
  });

  it('keeps the transaction when something must run before COMMIT: its failure undoes the write', async () => {
    const counter = await storedCounter();
    await expect(
      runInUnitOfWork(db.pools.write, async (uow) => {
        (await readCounter(uow, counter.id)).increment();
        uow.whenWritten(async () => {
          throw new Error('the saga could not be told');
        });
      }),
    ).rejects.toThrow('the saga could not be told');
    const { counter: row, events, outbox } = await rowsFor(counter.id);
    expect(row).toEqual({ value: 0, version: 1 });
    expect(events).toHaveLength(1);
    expect(outbox).toHaveLength(1);
  });

  it('gives the connection back usable after a refusal in a unit of work that never began a transaction', async () => {
    const counter = await storedCounter();
    const pool = db.pools.write;
    for (let i = 0; i < 3; i++) {
      await expect(
        runInUnitOfWork(pool, async (uow) => {
          await readCounter(uow, counter.id);
          throw new Error('refused');
        }),
      ).rejects.toThrow('refused');
    }
    await runInUnitOfWork(pool, async (uow) => (await readCounter(uow, counter.id)).increment());
    expect((await rowsFor(counter.id)).counter).toEqual({ value: 1, version: 2 });
  });
});
