import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MessageBus } from '../../src/platform/bus/message-bus.ts';
import { standardMiddleware } from '../../src/platform/bus/middleware.ts';
import { readAggregateEvents } from '../../src/platform/db/event-store.ts';
import { OutboxRelay } from '../../src/platform/db/outbox-relay.ts';
import type { Message } from '../../src/platform/db/outbox.ts';
import { runInUnitOfWork } from '../../src/platform/db/unit-of-work.ts';
import { silentLogger } from '../../src/platform/log.ts';
import { currentMessageContext, runWithMessageContext } from '../../src/platform/messages/message-context.ts';
import { COUNTERS_TABLE, Counter, counterWriter, loadCounter } from '../support/counter.ts';
import { createTestDatabase } from '../support/test-env.ts';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  db = await createTestDatabase();
  await db.pools.write.query(COUNTERS_TABLE);
});
afterAll(() => db.drop());

/**
 * Two hops through the outbox: a counter's creation makes a handler increment it by 1,
 * and that increment makes another handler increment it by 2. Only counters of the
 * test are touched, whatever else the relay finds in the outbox.
 */
function chainBus(ours: Set<string>) {
  return new MessageBus(standardMiddleware(db.pools.write, silentLogger))
    .subscribe('CounterCreated', 'chain.first-hop', async (message, { uow }) => {
      const id = String(message.payload.aggregateId);
      if (ours.has(id)) (await loadCounter(uow, id)).increment(1);
    })
    .subscribe('CounterIncremented', 'chain.second-hop', async (message, { uow }) => {
      const id = String(message.payload.aggregateId);
      if (ours.has(id) && message.payload.by === 1) (await loadCounter(uow, id)).increment(2);
    });
}

async function relayUntilQuiet(bus: MessageBus): Promise<void> {
  const relay = new OutboxRelay({ pool: db.pools.write, logger: silentLogger, dispatch: (message) => bus.dispatch(message) });
  // Outside any context, as the relay process runs: each message brings its own.
  expect(currentMessageContext()).toBeUndefined();
  for (let batch = 0; batch < 10; batch++) if ((await relay.relayBatch()) === 0) return;
  throw new Error('the outbox did not drain');
}

const history = async (id: string) =>
  (await readAggregateEvents(db.pools.read, 'Counter', id)).map((e) => ({
    type: e.type,
    eventId: e.eventId,
    correlationId: e.correlationId,
    causationId: e.causationId,
  }));

describe('correlation and causation through the relay and the bus', () => {
  it("keeps the root's correlation over two hops, each caused by the message before", async () => {
    const counter = Counter.create();
    await runWithMessageContext({ correlationId: 'root-request' }, () =>
      runInUnitOfWork(db.pools.write, async (uow) => void uow.add(counter, counterWriter)),
    );

    await relayUntilQuiet(chainBus(new Set([counter.id])));

    const [created, firstHop, secondHop] = await history(counter.id);
    expect(created).toMatchObject({ type: 'CounterCreated', correlationId: 'root-request', causationId: null });
    expect(firstHop).toMatchObject({ type: 'CounterIncremented', correlationId: 'root-request', causationId: created!.eventId });
    expect(secondHop).toMatchObject({ type: 'CounterIncremented', correlationId: 'root-request', causationId: firstHop!.eventId });
    // The outbox rows the hops wrote carry the same ids, for the next hop to read.
    const { rows } = await db.pools.read.query('SELECT message_id, correlation_id, causation_id FROM outbox WHERE message_id = $1', [
      secondHop!.eventId,
    ]);
    expect(rows).toEqual([{ message_id: secondHop!.eventId, correlation_id: 'root-request', causation_id: firstHop!.eventId }]);
  });

  it('starts a correlation at a message that has none (written before correlation was kept)', async () => {
    const counter = Counter.create();
    await runInUnitOfWork(db.pools.write, async (uow) => void uow.add(counter, counterWriter));

    await relayUntilQuiet(chainBus(new Set([counter.id])));

    const [created, firstHop, secondHop] = await history(counter.id);
    expect(created).toMatchObject({ correlationId: null, causationId: null });
    expect(firstHop).toMatchObject({ correlationId: created!.eventId, causationId: created!.eventId });
    expect(secondHop).toMatchObject({ correlationId: created!.eventId, causationId: firstHop!.eventId });
  });

  it('names the nested message as the cause of what a nested dispatch records, in the same correlation', async () => {
    const outer = Counter.create();
    const inner = Counter.create();
    await runInUnitOfWork(db.pools.write, async (uow) => {
      uow.add(outer, counterWriter);
      uow.add(inner, counterWriter);
    });
    const innerMessage: Message = { id: crypto.randomUUID(), type: 'Inner', payload: {} };
    const outerMessage: Message = { id: crypto.randomUUID(), type: 'Outer', payload: {}, correlationId: 'saga-7', causationId: 'earlier' };
    const bus = new MessageBus(standardMiddleware(db.pools.write, silentLogger))
      .subscribe('Outer', 'nested.outer', async (_m, ctx) => {
        (await loadCounter(ctx.uow, outer.id)).increment(1); // before the nested dispatch…
        await ctx.dispatch(innerMessage);
        (await loadCounter(ctx.uow, outer.id)).increment(3); // …and after it
      })
      .subscribe('Inner', 'nested.inner', async (_m, ctx) => void (await loadCounter(ctx.uow, inner.id)).increment(2));

    await bus.dispatch(outerMessage);

    const fromOuter = { correlationId: 'saga-7', causationId: outerMessage.id };
    expect((await history(outer.id)).slice(1)).toMatchObject([fromOuter, fromOuter]);
    expect((await history(inner.id)).slice(1)).toMatchObject([{ correlationId: 'saga-7', causationId: innerMessage.id }]);
  });
});
