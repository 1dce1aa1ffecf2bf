import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MessageBus } from '../../src/platform/bus/message-bus.ts';
import { standardMiddleware } from '../../src/platform/bus/middleware.ts';
import type { Message } from '../../src/platform/db/outbox.ts';
import { silentLogger } from '../../src/platform/log.ts';
import { createTestDatabase } from '../support/test-env.ts';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  db = await createTestDatabase();
  await db.pools.write.query('CREATE TABLE bus_effects (label text NOT NULL)');
});
afterAll(() => db.drop());

const message = (type: string, payload: Record<string, unknown> = {}): Message => ({ id: crypto.randomUUID(), type, payload });

async function effects(): Promise<string[]> {
  const { rows } = await db.pools.read.query<{ label: string }>('SELECT label FROM bus_effects ORDER BY label');
  return rows.map((r) => r.label);
}

describe('message bus with transaction middleware', () => {
  it('runs a nested dispatch under a savepoint: a failing inner handler is undone alone', async () => {
    await db.pools.write.query('TRUNCATE bus_effects');
    const savepointsSeen: string[] = [];
    const bus = new MessageBus(standardMiddleware(db.pools.write, silentLogger))
      .subscribe('Outer', 'outer', async (_m, ctx) => {
        await ctx.uow.sql.query("INSERT INTO bus_effects VALUES ('outer')");
        await ctx.dispatch(message('Inner')).catch(() => {}); // the outer handler tolerates the failure
      })
      .subscribe('Inner', 'inner', async (_m, ctx) => {
        const { rows } = await ctx.uow.sql.query<{ n: number }>("SELECT count(*)::int AS n FROM bus_effects WHERE label = 'outer'");
        // Same transaction: the inner handler sees the outer handler's uncommitted row.
        savepointsSeen.push(`inner sees outer: ${rows[0]!.n === 1}`);
        await ctx.uow.sql.query("INSERT INTO bus_effects VALUES ('inner')");
        throw new Error('inner fails');
      });

    await bus.dispatch(message('Outer'));

    expect(savepointsSeen).toEqual(['inner sees outer: true']);
    expect(await effects()).toEqual(['outer']);
  });

  it('rolls back inner work when the outer handler fails after it', async () => {
    await db.pools.write.query('TRUNCATE bus_effects');
    const bus = new MessageBus(standardMiddleware(db.pools.write, silentLogger))
      .subscribe('Outer', 'outer', async (_m, ctx) => {
        await ctx.uow.sql.query("INSERT INTO bus_effects VALUES ('outer')");
        await ctx.dispatch(message('Inner'));
        throw new Error('outer fails after the inner handler succeeded');
      })
      .subscribe('Inner', 'inner', async (_m, ctx) => {
        await ctx.uow.sql.query("INSERT INTO bus_effects VALUES ('inner')");
      });

    await expect(bus.dispatch(message('Outer'))).rejects.toThrow('outer fails');
    expect(await effects()).toEqual([]);
  });

  it('handles a redelivered message once per handler, and each handler independently', async () => {
    await db.pools.write.query('TRUNCATE bus_effects');
    const bus = new MessageBus(standardMiddleware(db.pools.write, silentLogger))
      .subscribe('Paid', 'send-receipt', async (_m, ctx) => void (await ctx.uow.sql.query("INSERT INTO bus_effects VALUES ('receipt')")))
      .subscribe('Paid', 'update-stats', async (_m, ctx) => void (await ctx.uow.sql.query("INSERT INTO bus_effects VALUES ('stats')")));
    const paid = message('Paid');

    await bus.dispatch(paid);
    await bus.dispatch(paid); // the outbox delivers at least once

    expect(await effects()).toEqual(['receipt', 'stats']);
  });

  it('refuses two handlers with one name, since the name keys the inbox', () => {
    const bus = new MessageBus([]).subscribe('A', 'same', async () => {});
    expect(() => bus.subscribe('B', 'same', async () => {})).toThrow(/already subscribed/);
  });
});
