import type pg from 'pg';
import type { QueryResult, QueryResultRow } from 'pg';
import type { Aggregate, DomainEvent } from '../../kernel/aggregate.ts';
import { ConcurrencyConflict } from '../../kernel/errors.ts';
import type { NewEvent } from './event-store.ts';
import type { Message } from './outbox.ts';
import type { FactOrigin } from './recorded-facts.ts';
import { originOf, recordChanges, type RecordedChanges } from './record-changes.ts';
import { checkout, release, type Sql } from './pools.ts';

/**
 * How one aggregate type is written. `insert` stores a new aggregate; `update` writes
 * the row `WHERE id = $id AND version = $expectedVersion` and reports whether a row
 * matched. The unit of work owns versions, events and the outbox; a writer owns only
 * its own columns.
 */
export interface AggregateWriter<A extends Aggregate> {
  readonly aggregateType: string;
  insert(sql: Sql, aggregate: A): Promise<void>;
  update(sql: Sql, aggregate: A, expectedVersion: number): Promise<boolean>;
  /**
   * Optional, for hot aggregates: the versioned update and the unit of work's recorded
   * changes in one statement (versionedWriteRecording). Used when this aggregate is the
   * only one the unit of work writes. With nothing written before it, that statement is
   * the whole transaction, so it must write nothing when the version does not match
   * (versionedWriteRecording sees to its records; rows of its own must read `written` too).
   */
  updateRecording?(sql: Sql, aggregate: A, expectedVersion: number, changes: RecordedChanges): Promise<boolean>;
}

interface Tracked {
  aggregate: Aggregate;
  writer: AggregateWriter<Aggregate>;
  isNew: boolean;
}

const UNIQUE_VIOLATION = '23505';

/**
 * One Postgres transaction for one use case (docs/design.md, property 2). Repositories load
 * aggregates with `read` and `track` them; new ones are `add`ed. `flush` writes every
 * changed aggregate with a versioned write, appends its events to the event store and
 * the outbox, and the transaction commits; any error rolls all of it back.
 *
 * The transaction begins with the first statement that needs it (anything through
 * `sql`: a write, a locking read, a savepoint), not before: a plain read is a statement
 * of its own until then. Under READ COMMITTED, the isolation every pool uses, each
 * statement sees its own snapshot inside a transaction too, and the versioned write
 * refuses an aggregate that changed after it was read, so this changes no outcome. It
 * saves two round trips per use case: one that only reads sends no BEGIN and COMMIT,
 * and one that changes a single aggregate writes it, its events and its outbox messages
 * in one statement, which is a transaction by itself.
 *
 * Use `runInUnitOfWork` rather than this class directly.
 */
export class UnitOfWork {
  /** Statements that must run in the transaction: it begins before the first of them. */
  readonly sql: Sql;
  readonly #client: pg.PoolClient;
  #begun: Promise<void> | undefined;
  readonly #tracked = new Map<string, Tracked>();
  readonly #messages: Message[] = [];
  readonly #whenWritten: (() => Promise<void>)[] = [];
  /**
   * Events whose message context is settled before the flush: a nested bus dispatch
   * runs under a savepoint in a context of its own, and what it raised is flushed later
   * under the outer one (see stampPendingEvents). The rest take the flush's context.
   */
  readonly #origins = new Map<DomainEvent, FactOrigin>();
  /** Aggregates written by `flush`, to be marked persisted once COMMIT succeeds. */
  #flushed: Aggregate[] = [];
  #isFlushed = false;
  #savepoints = 0;

  constructor(client: pg.PoolClient) {
    this.#client = client;
    const query = async (...args: Parameters<pg.PoolClient['query']>) => {
      await this.begin();
      return (client.query as (...a: typeof args) => unknown)(...args);
    };
    this.sql = { query: query as Sql['query'] };
  }

  /** Whether the transaction has begun (BEGIN was sent). */
  get inTransaction(): boolean {
    return this.#begun !== undefined;
  }

  /** Begins the transaction, once; later calls wait for the same BEGIN. */
  begin(): Promise<void> {
    this.#begun ??= this.#client.query('BEGIN').then(() => undefined);
    return this.#begun;
  }

  /**
   * A plain read (no lock, no write, no side effect): a statement of its own before the
   * transaction begins, part of it after, so it still sees this unit of work's writes.
   */
  read<R extends QueryResultRow>(query: string | pg.QueryConfig, values?: unknown[]): Promise<QueryResult<R>> {
    return this.#client.query<R>(query, values);
  }

  /** Registers a loaded aggregate; returns the instance already tracked under that id, if any. */
  track<A extends Aggregate>(aggregate: A, writer: AggregateWriter<A>): A {
    const key = trackingKey(writer.aggregateType, aggregate.id);
    const existing = this.#tracked.get(key);
    if (existing) return existing.aggregate as A;
    this.#tracked.set(key, { aggregate, writer: writer as unknown as AggregateWriter<Aggregate>, isNew: false });
    return aggregate;
  }

  /** An aggregate loaded earlier in this unit of work: the identity map. */
  tracked<A extends Aggregate>(aggregateType: string, id: string): A | undefined {
    return this.#tracked.get(trackingKey(aggregateType, id))?.aggregate as A | undefined;
  }

  add<A extends Aggregate>(aggregate: A, writer: AggregateWriter<A>): A {
    this.#tracked.set(trackingKey(writer.aggregateType, aggregate.id), {
      aggregate,
      writer: writer as unknown as AggregateWriter<Aggregate>,
      isNew: true,
    });
    return aggregate;
  }

  /**
   * Runs `action` once this unit of work's writes are made, before COMMIT: for telling a
   * saga (a signal) of what this transaction records. Told earlier, the saga could read
   * the rows before they were written and act on the old state; told now, its writes to
   * the same rows wait for this transaction's locks and then see the new state. An action
   * that throws rolls everything back, so the sender's retry finds nothing recorded.
   */
  whenWritten(action: () => Promise<void>): void {
    this.#whenWritten.push(action);
  }

  /** Runs the `whenWritten` actions; `runInUnitOfWork` calls it after `flush`, before COMMIT. */
  async runWhenWritten(): Promise<void> {
    for (const action of this.#whenWritten.splice(0)) await action();
  }

  /**
   * Queues a message that is not a domain event (a command to another context, say) for
   * the outbox, with the origin of the moment it is queued (a nested dispatch's, say).
   */
  publish(message: Message): void {
    this.#messages.push({ ...message, ...originOf(message) });
  }

  /**
   * Runs `work` under a savepoint: if it throws, its writes are undone and the error
   * propagates, while the enclosing transaction stays usable. Aggregates tracked during
   * `work` are forgotten on failure so they are not flushed later.
   */
  async savepoint<T>(work: () => Promise<T>): Promise<T> {
    const name = `sp_${++this.#savepoints}`;
    const trackedBefore = new Set(this.#tracked.keys());
    const messagesBefore = this.#messages.length;
    await this.sql.query(`SAVEPOINT ${name}`);
    try {
      const result = await work();
      this.stampPendingEvents();
      await this.sql.query(`RELEASE SAVEPOINT ${name}`);
      return result;
    } catch (error) {
      await this.sql.query(`ROLLBACK TO SAVEPOINT ${name}`);
      for (const key of this.#tracked.keys()) if (!trackedBefore.has(key)) this.#tracked.delete(key);
      this.#messages.length = messagesBefore;
      throw error;
    }
  }

  /** Writes every changed aggregate, its events and the outbox. `runInUnitOfWork` calls it once, before COMMIT. */
  async flush(): Promise<void> {
    if (this.#isFlushed) throw new Error('a unit of work is flushed once, by runInUnitOfWork');
    this.#isFlushed = true;
    const events: NewEvent[] = [];
    const messages: Message[] = [...this.#messages];
    const changed = [...this.#tracked.values()].filter(({ aggregate }) => aggregate.pendingEvents.length > 0);
    for (const { aggregate, writer } of changed) {
      aggregate.pendingEvents.forEach((event, index) => {
        const origin = this.#origins.get(event) ?? originOf();
        const stored = { ...toStoredEvent(writer.aggregateType, aggregate, event, index), ...origin };
        events.push(stored);
        messages.push({ id: stored.eventId, type: stored.type, payload: envelope(stored), ...origin });
      });
    }
    const only = changed.length === 1 ? changed[0] : undefined;
    if (only && !only.isNew && only.writer.updateRecording) {
      // One aggregate changed: its write and the records go in one round trip. With nothing
      // written before it and nothing to run before COMMIT, that statement is the transaction.
      const alone = !this.inTransaction && this.#whenWritten.length === 0;
      const { aggregate, writer } = only;
      const conflict = new ConcurrencyConflict(writer.aggregateType, aggregate.id, aggregate.loadedVersion);
      const sql = alone ? this.#client : this.sql;
      const matched = await writer.updateRecording!(sql, aggregate, aggregate.loadedVersion, { events, messages }).catch((error) => {
        // A writer that committed the same version first: its event holds that version.
        if ((error as { code?: string }).code === UNIQUE_VIOLATION) throw conflict;
        throw error;
      });
      if (!matched) throw conflict;
    } else {
      for (const { aggregate, writer, isNew } of changed) await this.write(aggregate, writer, isNew);
      await recordChanges(this.sql, events, messages);
    }
    this.#messages.length = 0;
    this.#origins.clear();
    this.#flushed = changed.map(({ aggregate }) => aggregate);
  }

  /** After COMMIT: the in-memory aggregates now match their rows. */
  markCommitted(): void {
    for (const aggregate of this.#flushed) aggregate.markPersisted();
    this.#flushed = [];
  }

  /**
   * Gives the events raised so far, and not yet stamped, the current message context.
   * The bus calls it before a nested dispatch (in the dispatcher's context) and the
   * savepoint after its work (in the nested one), so each event names its own cause.
   */
  stampPendingEvents(): void {
    const origin = originOf();
    for (const { aggregate } of this.#tracked.values()) {
      for (const event of aggregate.pendingEvents) if (!this.#origins.has(event)) this.#origins.set(event, origin);
    }
  }

  private async write(aggregate: Aggregate, writer: AggregateWriter<Aggregate>, isNew: boolean): Promise<void> {
    if (isNew) {
      try {
        await writer.insert(this.sql, aggregate);
      } catch (error) {
        // Someone stored the same id first: the same race as a stale version.
        if ((error as { code?: string }).code === UNIQUE_VIOLATION) {
          throw new ConcurrencyConflict(writer.aggregateType, aggregate.id, 0);
        }
        throw error;
      }
      return;
    }
    const matched = await writer.update(this.sql, aggregate, aggregate.loadedVersion);
    if (!matched) throw new ConcurrencyConflict(writer.aggregateType, aggregate.id, aggregate.loadedVersion);
  }
}

/**
 * Runs `work` in a new unit of work: work, flush, the `whenWritten` actions, COMMIT;
 * ROLLBACK on any error (BEGIN is sent by the first statement that needs the transaction;
 * a unit of work that never began one has nothing to commit or roll back).
 * The aggregates' in-memory state is marked persisted only after COMMIT succeeds.
 */
export async function runInUnitOfWork<T>(pool: pg.Pool, work: (uow: UnitOfWork) => Promise<T>): Promise<T> {
  const client = await checkout(pool);
  const uow = new UnitOfWork(client);
  let broken: Error | undefined;
  try {
    const result = await work(uow);
    await uow.flush();
    await uow.runWhenWritten();
    if (uow.inTransaction) await client.query('COMMIT');
    uow.markCommitted();
    return result;
  } catch (error) {
    // Without a transaction, still a round trip: the connection goes back to the pool
    // only once any statement of this unit of work still running has ended.
    await client.query(uow.inTransaction ? 'ROLLBACK' : 'SELECT 1').catch((rollbackError: Error) => {
      broken = rollbackError; // the connection is unusable; do not return it to the pool
    });
    throw error;
  } finally {
    release(client, broken);
  }
}

function trackingKey(aggregateType: string, id: string): string {
  return `${aggregateType}:${id}`;
}

function toStoredEvent(aggregateType: string, aggregate: Aggregate, event: DomainEvent, index: number): NewEvent {
  const { type, ...payload } = event;
  return {
    eventId: crypto.randomUUID(),
    aggregateType,
    aggregateId: aggregate.id,
    aggregateVersion: aggregate.loadedVersion + index + 1,
    type,
    payload: toJsonObject(payload),
  };
}

/** What consumers of the outbox receive: the event plus where it came from. */
function envelope(event: NewEvent): Record<string, unknown> {
  return {
    aggregateType: event.aggregateType,
    aggregateId: event.aggregateId,
    aggregateVersion: event.aggregateVersion,
    ...event.payload,
  };
}

/** Events carry value objects (Money has toJSON); the stored payload is their JSON form. */
function toJsonObject(value: object): Record<string, unknown> {
  return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
}
