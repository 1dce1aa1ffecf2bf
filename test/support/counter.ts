import { Aggregate } from '../../src/kernel/aggregate.ts';
import type { Sql } from '../../src/platform/db/pools.ts';
import { recordChangesCtes, versionedWriteRecording } from '../../src/platform/db/record-changes.ts';
import type { AggregateWriter, UnitOfWork } from '../../src/platform/db/unit-of-work.ts';

/** A test aggregate: the smallest thing with state, versions and events. */
export type CounterEvent = { type: 'CounterCreated' } | { type: 'CounterIncremented'; by: number };

export class Counter extends Aggregate<CounterEvent> {
  private constructor(
    id: string,
    version: number,
    public value: number,
  ) {
    super(id, version);
  }

  static create(id: string = crypto.randomUUID()): Counter {
    const counter = new Counter(id, 0, 0);
    counter.record({ type: 'CounterCreated' });
    return counter;
  }

  static restore(id: string, version: number, value: number): Counter {
    return new Counter(id, version, value);
  }

  increment(by = 1): void {
    this.value += by;
    this.record({ type: 'CounterIncremented', by });
  }
}

export const COUNTERS_TABLE = `CREATE TABLE IF NOT EXISTS test_counters (
  id uuid PRIMARY KEY, value integer NOT NULL, version integer NOT NULL)`;

export const counterWriter: AggregateWriter<Counter> = {
  aggregateType: 'Counter',
  async insert(sql: Sql, counter: Counter) {
    await sql.query('INSERT INTO test_counters (id, value, version) VALUES ($1, $2, $3)', [counter.id, counter.value, counter.version]);
  },
  async update(sql: Sql, counter: Counter, expectedVersion: number) {
    const { rowCount } = await sql.query({
      name: 'test-counters.update',
      text: 'UPDATE test_counters SET value = $3, version = $4 WHERE id = $1 AND version = $2',
      values: [counter.id, expectedVersion, counter.value, counter.version],
    });
    return rowCount === 1;
  },
};

const UPDATE_COUNTER_RECORDING = versionedWriteRecording(
  'UPDATE test_counters SET value = $3, version = $4 WHERE id = $1 AND version = $2',
  5,
);

/** The counter written as hot aggregates are: the versioned update and its records in one statement. */
export const recordingCounterWriter: AggregateWriter<Counter> = {
  ...counterWriter,
  async updateRecording(sql, counter, expectedVersion, changes) {
    const { rows } = await sql.query<{ written: number }>(UPDATE_COUNTER_RECORDING, [
      counter.id,
      expectedVersion,
      counter.value,
      counter.version,
      ...recordChangesCtes(changes, 5).values,
    ]);
    return rows[0]?.written === 1;
  },
};

/** Loads a counter with a plain read, as repositories load aggregates. */
export async function readCounter(uow: UnitOfWork, id: string, writer = recordingCounterWriter): Promise<Counter> {
  const { rows } = await uow.read<{ value: number; version: number }>('SELECT value, version FROM test_counters WHERE id = $1', [id]);
  const row = rows[0];
  if (!row) throw new Error(`no counter ${id}`);
  return uow.track(Counter.restore(id, row.version, row.value), writer);
}

export async function loadCounter(uow: UnitOfWork, id: string): Promise<Counter> {
  const { rows } = await uow.sql.query<{ value: number; version: number }>({
    name: 'test-counters.read',
    text: 'SELECT value, version FROM test_counters WHERE id = $1',
    values: [id],
  });
  const row = rows[0];
  if (!row) throw new Error(`no counter ${id}`);
  return uow.track(Counter.restore(id, row.version, row.value), counterWriter);
}
