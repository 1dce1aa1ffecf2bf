import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureDonations } from '../../bench/donations.ts';
import { measureReads } from '../../bench/reads.ts';
import { measureRelay } from '../../bench/relay.ts';
import { createTestDatabase } from '../support/test-env.ts';

/**
 * Short variants of the benchmarks that need only PostgreSQL, so a bench that no longer
 * runs, or whose books stop adding up, fails here rather than at the next `npm run bench`.
 * The figures are not checked: a few dozen operations on a busy machine say nothing.
 */
let db: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

describe('benchmarks, short', () => {
  it('donations: both sides run, and every donation and posting is verified in the books', async () => {
    const result = await measureDonations(db.pools, { donors: 4, donations: 40, rounds: 2 });
    // A warm-up of 10 plus 2 rounds of 40 on each side, all of them successful.
    expect(result.donated.count).toBe(90);
    expect(result.posted.count).toBe(90);
    expect(result.platform.rate).toBeGreaterThan(0);
    expect(result.baseline.rate).toBeGreaterThan(0);
    expect(result.ratio).toBeGreaterThan(0);
  });

  it('relay: both sides drain their backlog, each message delivered once and marked dispatched once', async () => {
    const result = await measureRelay(db.pools, { backlog: 300, batchSize: 50, rounds: 1 });
    // A warm-up of four batches (200) plus one round of 300 on each side; measureRelay throws on a lost or doubled message.
    expect(result.verified).toEqual({ relay: 500, baseline: 500 });
    expect(result.relay).toBeGreaterThan(0);
    expect(result.baseline).toBeGreaterThan(0);
  });

  it('reads: the app and the bare baseline answer the same JSON for every seeded auction and dashboard', async () => {
    const result = await measureReads(db.url, { auctions: 20, customers: 3, reads: 40, concurrency: 4, rounds: 1, poolSize: 4 });
    expect(result.seeded.auctions).toBe(20);
    expect(result.seeded.customers).toBe(3);
    expect(result.seeded.bids).toBeGreaterThan(100);
    // Every dashboard carries bids, deposits, withdrawals, transfers, campaigns and donations.
    expect(result.seeded.dashboardRows).toBeGreaterThan(3 * 10);
    // Per side: the comparison reads (20 auctions, 3 dashboards), then for each read a warm-up of 16 and a round of 40, all 200.
    expect(result.answered).toEqual({ platform: 23 + 2 * (16 + 40), baseline: 23 + 2 * (16 + 40) });
    expect(result.reads.auction.platform.rate).toBeGreaterThan(0);
    expect(result.reads.dashboard.baseline.rate).toBeGreaterThan(0);
    expect(result.ratio).toBeGreaterThan(0);
  });
});
