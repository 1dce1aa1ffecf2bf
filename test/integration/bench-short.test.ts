import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureDonations } from '../../bench/donations.ts';
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
});
