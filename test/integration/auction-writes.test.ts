import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachFulfilment, attachPayment, createAuction, endAuction, markAuctionPaid, placeBid } from '../../src/auctions/use-cases.ts';
import { systemClock } from '../../src/kernel/clock.ts';
import { Money } from '../../src/kernel/money.ts';
import { createTestDatabase } from '../support/test-env.ts';

/**
 * Writers that do not lock at the read (everything but bids) race on one auction: the
 * one-statement write reports a lost race as a concurrency conflict (zero rows, or the
 * event version already taken), the use case retries, and nothing is lost.
 */
let db: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

describe('concurrent writers on one auction', () => {
  it('all succeed through retries, with gap-free versions', async () => {
    const deps = { pool: db.pools.write, clock: systemClock };
    for (let round = 0; round < 5; round++) {
      const { auctionId } = await createAuction(deps, {
        sellerId: 'seller',
        title: 'Raced',
        startingPrice: Money.of('1.00', 'USD'),
        endsAt: new Date(Date.now() + 3_600_000),
        fulfilment: 'delivery',
      });
      await placeBid(deps, { auctionId, bidderId: 'buyer', amount: Money.of('2.00', 'USD') });
      await endAuction(deps, auctionId);
      await Promise.all([
        attachPayment(deps, auctionId, crypto.randomUUID()),
        markAuctionPaid(deps, auctionId),
        attachFulfilment(deps, auctionId, 'delivery', crypto.randomUUID()),
      ]);
      const {
        rows: [row],
      } = await db.pools.read.query('SELECT status, payment_id, delivery_id, version FROM auctions WHERE id = $1', [auctionId]);
      expect(row).toMatchObject({ status: 'paid', payment_id: expect.any(String), delivery_id: expect.any(String) });
      const { rows } = await db.pools.read.query<{ v: number }>(
        'SELECT aggregate_version AS v FROM event_store WHERE aggregate_id = $1 ORDER BY 1',
        [auctionId],
      );
      expect(rows.map((r) => r.v)).toEqual(Array.from({ length: row.version }, (_, i) => i + 1));
    }
  });
});
