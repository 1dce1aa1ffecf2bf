import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deposit } from '../../src/accounting/use-cases.ts';
import { donate, openCampaign } from '../../src/crowdfunding/use-cases.ts';
import { systemClock } from '../../src/kernel/clock.ts';
import { Money } from '../../src/kernel/money.ts';
import { escrowViolations } from '../../chaos/invariants/escrow.ts';
import { createTestDatabase } from '../support/test-env.ts';

/**
 * A donation's id makes it once: reruns of one donation racing each other (a client
 * retrying while its first try still runs) take the money once, whichever reads the
 * campaign before the other committed (findCampaignForDonation's join may miss it; the
 * donor's versioned write then loses the race and the rerun finds the first).
 */
let db: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

const sat = (n: number) => Money.fromMinorUnits(BigInt(n), 'SAT');

describe('reruns of one donation', () => {
  it('racing each other, take the money once and all answer the same donation', async () => {
    const deps = { pool: db.pools.write, clock: systemClock };
    for (let round = 0; round < 10; round++) {
      const donorId = `donor-${crypto.randomUUID()}`;
      await deposit(deps.pool, { accountId: donorId, customerId: donorId, amount: sat(1_000) });
      const { campaignId } = await openCampaign(deps, {
        campaignId: crypto.randomUUID(),
        ownerId: 'owner',
        title: 'Reruns',
        goal: sat(10_000),
        endsAt: new Date(Date.now() + 3_600_000),
      });
      const donationId = crypto.randomUUID();
      const answers = await Promise.all(
        Array.from({ length: 5 }, () => donate(deps, { campaignId, donorId, donationId, amount: sat(100) })),
      );
      expect(answers.every((a) => a.donationId === donationId)).toBe(true);
      const { rows } = await db.pools.read.query(
        `SELECT (SELECT balance_minor::int FROM accounts WHERE id = $1) AS balance,
                (SELECT count(*)::int FROM donations WHERE campaign_id = $2) AS donations,
                (SELECT raised_minor::int FROM campaigns WHERE id = $2) AS raised`,
        [donorId, campaignId],
      );
      expect(rows[0]).toEqual({ balance: 900, donations: 1, raised: 100 });
    }
    expect(await escrowViolations(db.pools.read, { settled: false })).toEqual([]);
  });
});
