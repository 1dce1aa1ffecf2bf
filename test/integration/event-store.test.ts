import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendEvents, readAggregateEvents, readAllEvents, type NewEvent } from '../../src/platform/db/event-store.ts';
import { createTestDatabase } from '../support/test-env.ts';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

const event = (aggregateId: string, aggregateVersion: number, type = 'Happened'): NewEvent => ({
  eventId: crypto.randomUUID(),
  aggregateType: 'Thing',
  aggregateId,
  aggregateVersion,
  type,
  payload: { n: aggregateVersion },
});

describe('event store', () => {
  it('reads everything in global order, interleaved across aggregates as appended', async () => {
    const a = crypto.randomUUID();
    const b = crypto.randomUUID();
    await appendEvents(db.pools.write, [event(a, 1), event(b, 1)]);
    await appendEvents(db.pools.write, [event(a, 2)]);
    await appendEvents(db.pools.write, [event(b, 2)]);

    const all = await readAllEvents(db.pools.read);
    const ours = all.filter((e) => e.aggregateId === a || e.aggregateId === b);
    expect(ours.map((e) => `${e.aggregateId === a ? 'a' : 'b'}${e.aggregateVersion}`)).toEqual(['a1', 'b1', 'a2', 'b2']);
    const seqs = all.map((e) => BigInt(e.globalSeq));
    expect(seqs).toEqual([...seqs].sort((x, y) => (x < y ? -1 : 1)));

    // Paging from a sequence number continues after it.
    const after = await readAllEvents(db.pools.read, ours[1]!.globalSeq);
    expect(after[0]?.globalSeq).toBe(ours[2]!.globalSeq);
  });

  it('reads one aggregate in version order', async () => {
    const id = crypto.randomUUID();
    await appendEvents(db.pools.write, [event(id, 1, 'Created'), event(id, 2, 'Changed'), event(id, 3, 'Closed')]);
    const history = await readAggregateEvents(db.pools.read, 'Thing', id);
    expect(history.map((e) => [e.aggregateVersion, e.type, e.payload])).toEqual([
      [1, 'Created', { n: 1 }],
      [2, 'Changed', { n: 2 }],
      [3, 'Closed', { n: 3 }],
    ]);
  });

  it('refuses a second event at an (aggregate id, version) that exists', async () => {
    const id = crypto.randomUUID();
    await appendEvents(db.pools.write, [event(id, 1)]);
    await expect(appendEvents(db.pools.write, [event(id, 1)])).rejects.toMatchObject({
      code: '23505',
      constraint: 'event_store_aggregate_version_unique',
    });
    expect(await readAggregateEvents(db.pools.read, 'Thing', id)).toHaveLength(1);
  });

  it('indexes both the sequential and the per-aggregate read', async () => {
    const { rows } = await db.pools.read.query<{ indexdef: string }>("SELECT indexdef FROM pg_indexes WHERE tablename = 'event_store'");
    const defs = rows.map((r) => r.indexdef).join('\n');
    expect(defs).toMatch(/\(global_seq\)/);
    expect(defs).toMatch(/\(aggregate_id, aggregate_version\)/);
  });
});
