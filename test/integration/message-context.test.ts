import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendEvents, readAggregateEvents } from '../../src/platform/db/event-store.ts';
import { runInUnitOfWork } from '../../src/platform/db/unit-of-work.ts';
import { runWithMessageContext } from '../../src/platform/messages/message-context.ts';
import { COUNTERS_TABLE, Counter, counterWriter } from '../support/counter.ts';
import { createTestDatabase } from '../support/test-env.ts';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  db = await createTestDatabase();
  await db.pools.write.query(COUNTERS_TABLE);
});
afterAll(() => db.drop());

/** Each event's and each outbox row's ids, in version order; the outbox row of an event shares its id. */
async function originsOf(aggregateId: string) {
  const { rows: events } = await db.pools.read.query(
    'SELECT event_type, correlation_id, causation_id FROM event_store WHERE aggregate_id = $1 ORDER BY aggregate_version',
    [aggregateId],
  );
  const { rows: outbox } = await db.pools.read.query(
    `SELECT message_type AS event_type, correlation_id, causation_id FROM outbox WHERE payload->>'aggregateId' = $1 ORDER BY id`,
    [aggregateId],
  );
  return { events, outbox };
}

describe('message context in the unit of work', () => {
  it('stamps every event and outbox row written inside a context with its ids', async () => {
    const counter = Counter.create();
    await runWithMessageContext({ correlationId: 'req-1', causationId: 'msg-1' }, () =>
      runInUnitOfWork(db.pools.write, async (uow) => {
        uow.add(counter, counterWriter);
        counter.increment();
      }),
    );

    const stamped = { correlation_id: 'req-1', causation_id: 'msg-1' };
    const { events, outbox } = await originsOf(counter.id);
    expect(events).toEqual([
      { event_type: 'CounterCreated', ...stamped },
      { event_type: 'CounterIncremented', ...stamped },
    ]);
    expect(outbox).toEqual(events);
    // The events endpoints read them through the event store.
    expect((await readAggregateEvents(db.pools.read, 'Counter', counter.id)).map((e) => [e.correlationId, e.causationId])).toEqual([
      ['req-1', 'msg-1'],
      ['req-1', 'msg-1'],
    ]);
  });

  it('leaves both null outside any context, as on rows from before', async () => {
    const counter = Counter.create();
    await runInUnitOfWork(db.pools.write, async (uow) => void uow.add(counter, counterWriter));

    const { events, outbox } = await originsOf(counter.id);
    expect(events).toEqual([{ event_type: 'CounterCreated', correlation_id: null, causation_id: null }]);
    expect(outbox).toEqual(events);
    expect(await readAggregateEvents(db.pools.read, 'Counter', counter.id)).toMatchObject([{ correlationId: null, causationId: null }]);
  });

  it('keeps a request without causation as null causation', async () => {
    const counter = Counter.create();
    await runWithMessageContext({ correlationId: 'req-2' }, () =>
      runInUnitOfWork(db.pools.write, async (uow) => void uow.add(counter, counterWriter)),
    );
    expect((await originsOf(counter.id)).events).toEqual([{ event_type: 'CounterCreated', correlation_id: 'req-2', causation_id: null }]);
  });

  it('lets a fact name its own origin, null included, over the context', async () => {
    const id = crypto.randomUUID();
    await runWithMessageContext({ correlationId: 'ambient', causationId: 'ambient-cause' }, async () => {
      await appendEvents(db.pools.write, [
        {
          eventId: crypto.randomUUID(),
          aggregateType: 'Thing',
          aggregateId: id,
          aggregateVersion: 1,
          type: 'Explicit',
          payload: {},
          correlationId: 'own',
        },
        { eventId: crypto.randomUUID(), aggregateType: 'Thing', aggregateId: id, aggregateVersion: 2, type: 'Ambient', payload: {} },
      ]);
      await runInUnitOfWork(db.pools.write, async (uow) => {
        uow.publish({ id: crypto.randomUUID(), type: 'Command', payload: { aggregateId: id }, correlationId: null, causationId: 'c-9' });
        uow.publish({ id: crypto.randomUUID(), type: 'Command', payload: { aggregateId: id } });
      });
    });

    const { events, outbox } = await originsOf(id);
    expect(events).toEqual([
      { event_type: 'Explicit', correlation_id: 'own', causation_id: null },
      { event_type: 'Ambient', correlation_id: 'ambient', causation_id: 'ambient-cause' },
    ]);
    expect(outbox).toEqual([
      { event_type: 'Command', correlation_id: null, causation_id: 'c-9' },
      { event_type: 'Command', correlation_id: 'ambient', causation_id: 'ambient-cause' },
    ]);
  });
});
