import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboxRelay } from '../../src/platform/db/outbox-relay.ts';
import { recordInInbox } from '../../src/platform/db/inbox.ts';
import { enqueueMessages, type Message } from '../../src/platform/db/outbox.ts';
import { runInUnitOfWork } from '../../src/platform/db/unit-of-work.ts';
import { silentLogger } from '../../src/platform/log.ts';
import { COUNTERS_TABLE, Counter, counterWriter } from '../support/counter.ts';
import { createTestDatabase } from '../support/test-env.ts';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  db = await createTestDatabase();
  await db.pools.write.query(COUNTERS_TABLE);
});
afterAll(() => db.drop());

const isFor = (counter: Counter) => (m: Message) => m.payload.aggregateId === counter.id;

async function pendingFor(counter: Counter): Promise<number> {
  const { rows } = await db.pools.read.query(
    `SELECT count(*)::int AS n FROM outbox WHERE dispatched_at IS NULL AND payload->>'aggregateId' = $1`,
    [counter.id],
  );
  return rows[0].n;
}

describe('transactional outbox', () => {
  it('dispatches nothing before commit and nothing after a rollback', async () => {
    const delivered: Message[] = [];
    const relay = new OutboxRelay({ pool: db.pools.write, logger: silentLogger, dispatch: async (m) => void delivered.push(m) });
    const pending = { id: crypto.randomUUID(), type: 'Pending', payload: {} };
    const abandoned = { id: crypto.randomUUID(), type: 'Abandoned', payload: {} };
    const wasDelivered = (m: { id: string }) => delivered.some((d) => d.id === m.id);

    const writer = await db.pools.write.connect();
    try {
      await writer.query('BEGIN');
      await enqueueMessages(writer, [pending]);
      await relay.relayBatch(); // the row exists inside the open transaction only
      expect(wasDelivered(pending)).toBe(false);
      await writer.query('COMMIT');

      await writer.query('BEGIN');
      await enqueueMessages(writer, [abandoned]);
      await writer.query('ROLLBACK');
    } finally {
      writer.release();
    }

    await relay.relayBatch();
    expect(wasDelivered(pending)).toBe(true);
    expect(wasDelivered(abandoned)).toBe(false);
  });

  it('wakes on NOTIFY rather than waiting for the next poll', async () => {
    const delivered: Message[] = [];
    const relay = new OutboxRelay({
      pool: db.pools.write,
      logger: silentLogger,
      pollIntervalMs: 60_000, // a poll would take a minute: only the notification can be this fast
      dispatch: async (m) => void delivered.push(m),
    });
    await relay.start();
    try {
      await new Promise((resolve) => setTimeout(resolve, 100)); // let the first, empty batch finish
      const counter = Counter.create();
      await runInUnitOfWork(db.pools.write, async (uow) => void uow.add(counter, counterWriter));
      await expect.poll(() => delivered.filter(isFor(counter)).length, { timeout: 5000 }).toBe(1);
    } finally {
      await relay.stop();
    }
  });

  it('redelivers after a relay dies between dispatch and mark, and the inbox makes it a no-op', async () => {
    const counter = Counter.create();
    await runInUnitOfWork(db.pools.write, async (uow) => void uow.add(counter, counterWriter));

    // The consumer: counts effects, once per message id thanks to the inbox.
    let effects = 0;
    let deliveries = 0;
    const consume = async (message: Message) => {
      if (!isFor(counter)(message)) return;
      deliveries++;
      await runInUnitOfWork(db.pools.write, async (uow) => {
        if (await recordInInbox(uow.sql, 'test-consumer', message.id)) effects++;
      });
    };

    // First relay: delivers, then its connection dies before the mark commits,
    // exactly what Postgres sees when the relay process is killed.
    const dying = new OutboxRelay({
      pool: db.pools.write,
      logger: silentLogger,
      dispatch: consume,
      afterDispatch: async (message, claim) => {
        if (!isFor(counter)(message)) return;
        const { rows } = await claim.query('SELECT pg_backend_pid() AS pid');
        await db.pools.write.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
      },
    });
    await expect(dying.relayBatch()).rejects.toThrow();
    expect(deliveries).toBe(1);
    expect(await pendingFor(counter)).toBe(1); // the mark never committed

    const survivor = new OutboxRelay({ pool: db.pools.write, logger: silentLogger, dispatch: consume });
    await survivor.relayBatch();
    expect(deliveries).toBe(2); // delivered again…
    expect(effects).toBe(1); // …but handled once
    expect(await pendingFor(counter)).toBe(0);
  });

  it('keeps a message whose delivery fails, and retries it later', async () => {
    const counter = Counter.create();
    await runInUnitOfWork(db.pools.write, async (uow) => void uow.add(counter, counterWriter));
    let fail = true;
    const relay = new OutboxRelay({
      pool: db.pools.write,
      logger: silentLogger,
      retryDelayMs: () => 0,
      dispatch: async (m) => {
        if (isFor(counter)(m) && fail) throw new Error('consumer down');
      },
    });
    await relay.relayBatch();
    const { rows } = await db.pools.read.query(`SELECT attempts, last_error FROM outbox WHERE payload->>'aggregateId' = $1`, [counter.id]);
    expect(rows[0]).toEqual({ attempts: 1, last_error: 'consumer down' });
    fail = false;
    await relay.relayBatch();
    expect(await pendingFor(counter)).toBe(0);
  });

  it('lets two relays share the work without delivering a row twice', async () => {
    const counters = Array.from({ length: 40 }, () => Counter.create());
    for (const c of counters) await runInUnitOfWork(db.pools.write, async (uow) => void uow.add(c, counterWriter));
    const seen = new Map<string, number>();
    const dispatch = async (m: Message) => {
      await new Promise((resolve) => setTimeout(resolve, 2)); // hold the claim a little
      seen.set(m.id, (seen.get(m.id) ?? 0) + 1);
    };
    const relays = [1, 2].map(() => new OutboxRelay({ pool: db.pools.write, logger: silentLogger, dispatch, batchSize: 5 }));
    const drain = async (relay: OutboxRelay) => {
      while ((await relay.relayBatch()) > 0);
    };
    await Promise.all(relays.map(drain));
    const ids = new Set(counters.map((c) => c.id));
    const { rows } = await db.pools.read.query(`SELECT message_id FROM outbox WHERE payload->>'aggregateId' = ANY($1)`, [[...ids]]);
    expect(rows.every((r) => seen.get(r.message_id) === 1)).toBe(true);
    expect(rows).toHaveLength(40);
  });
});
