import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAuction } from '../../src/auctions/repository.ts';
import { createAuction } from '../../src/auctions/use-cases.ts';
import { systemClock } from '../../src/kernel/clock.ts';
import { ConcurrencyConflict } from '../../src/kernel/errors.ts';
import { Money } from '../../src/kernel/money.ts';
import { findPayment } from '../../src/payments/repository.ts';
import { startPayment } from '../../src/payments/use-cases.ts';
import { runInUnitOfWork, type UnitOfWork } from '../../src/platform/db/unit-of-work.ts';
import { createTestDatabase } from '../support/test-env.ts';

/**
 * Auctions and payments write a change, its events, its outbox messages (and an auction
 * its new bids) in one statement. When nothing was written before it, the unit of work
 * sends that statement alone, as a transaction of its own, so no ROLLBACK follows a lost
 * race: the statement itself must record nothing unless its versioned update matched.
 * Here the row moves on without an event at the version the loser would record, so no
 * unique key on the event store stops it either.
 */
let db: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

const deps = () => ({ pool: db.pools.write, clock: systemClock });

async function recorded(table: 'auctions' | 'payments', id: string) {
  const count = async (sql: string) => (await db.pools.read.query<{ n: number }>(sql, [id])).rows[0]!.n;
  return {
    bids: table === 'auctions' ? await count('SELECT count(*)::int AS n FROM bids WHERE auction_id = $1') : 0,
    events: await count('SELECT count(*)::int AS n FROM event_store WHERE aggregate_id = $1::text'),
    messages: await count(`SELECT count(*)::int AS n FROM outbox WHERE payload->>'aggregateId' = $1::text`),
  };
}

/** Loads with a plain read (no transaction yet), lets another writer move the row on, then changes the loaded copy. */
async function loseTheRace(table: 'auctions' | 'payments', id: string, change: (uow: UnitOfWork) => Promise<void>) {
  const before = await recorded(table, id);
  await expect(
    runInUnitOfWork(db.pools.write, async (uow) => {
      await change(uow);
      expect(uow.inTransaction).toBe(false);
    }),
  ).rejects.toBeInstanceOf(ConcurrencyConflict);
  expect(await recorded(table, id)).toEqual(before);
}

const movedOn = (table: 'auctions' | 'payments', id: string) =>
  db.pools.write.query(`UPDATE ${table} SET version = version + 1 WHERE id = $1`, [id]);

describe('a one-statement write that loses the race records nothing', () => {
  it('auction: no bid, event or message', async () => {
    const { auctionId } = await createAuction(deps(), {
      sellerId: 'seller',
      title: 'Moved on',
      startingPrice: Money.of('1.00', 'USD'),
      endsAt: new Date(Date.now() + 3_600_000),
      fulfilment: 'delivery',
    });
    await loseTheRace('auctions', auctionId, async (uow) => {
      const auction = (await findAuction(uow, auctionId))!;
      await movedOn('auctions', auctionId);
      auction.placeBid({ id: crypto.randomUUID(), bidderId: 'buyer', amount: Money.of('2.00', 'USD'), now: new Date() });
    });
  });

  it('payment: no event or message', async () => {
    const { paymentId } = await startPayment(db.pools.write, {
      auctionId: crypto.randomUUID(),
      payerId: 'payer',
      payeeId: 'seller',
      amount: { amount: '12.00', currency: 'USD' },
      title: 'Moved on',
      payableUntil: new Date(Date.now() + 3_600_000).toISOString(),
    });
    await loseTheRace('payments', paymentId, async (uow) => {
      const payment = (await findPayment(uow, paymentId))!;
      await movedOn('payments', paymentId);
      payment.requestCharge('payer', new Date(), 3);
    });
  });
});
