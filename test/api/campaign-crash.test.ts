import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escrowViolations } from '../../chaos/invariants/escrow.ts';
import { eventually, startPlatform, type TestPlatform } from '../support/platform.ts';
import { withdrawalHelpers } from '../support/withdrawals.ts';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.ts';

/**
 * The worker process is SIGKILLed while a cancelled campaign's refunds are being paid
 * out; a new worker finishes them, and every donor is refunded exactly once.
 */
let platform: TestPlatform;
const h = withdrawalHelpers(() => platform);

beforeAll(async () => {
  platform = await startPlatform({ worker: false });
}, 120_000);
afterAll(() => platform?.stop());

async function startWorker(): Promise<WorkerProcess> {
  const worker = startWorkerProcess(platform.config, platform.db.url);
  await worker.ready;
  return worker;
}

const DONORS = 150;

describe('a crashing worker during refunds', () => {
  it('killed mid-batch: the next worker refunds the rest, each donor exactly once', async () => {
    const owner = `owner-${crypto.randomUUID()}`;
    const donors = Array.from({ length: DONORS }, (_, i) => `donor${i}-${crypto.randomUUID()}`);
    const { body: campaign } = await platform.api.call('POST', '/campaigns', {
      as: owner,
      body: { title: 'Crash lot', goal: h.sat(1_000_000), endsAt: new Date(Date.now() + 3_600_000).toISOString() },
    });
    for (let i = 0; i < DONORS; i += 25) {
      await Promise.all(
        donors.slice(i, i + 25).map(async (donor) => {
          await h.deposit(donor, 100);
          const donated = await platform.api.call('POST', `/campaigns/${campaign.id}/donations`, {
            as: donor,
            body: { amount: h.sat(100) },
          });
          expect(donated.status).toBe(201);
        }),
      );
    }

    const first = await startWorker();
    expect((await platform.api.call('POST', `/campaigns/${campaign.id}/cancel`, { as: owner })).status).toBe(202);
    const refunded = async () =>
      (
        await platform.db.pools.read.query(`SELECT count(*)::int AS n FROM donations WHERE campaign_id = $1 AND status = 'refunded'`, [
          campaign.id,
        ])
      ).rows[0].n as number;
    const before = await eventually(refunded, (n) => n > 0, 30_000);
    await first.crash(); // somewhere in the middle of the refunds
    const atCrash = await refunded();
    expect(before).toBeLessThan(DONORS);

    const second = await startWorker();
    try {
      await eventually(
        () => platform.api.call('GET', `/sagas/campaign-${campaign.id}`, { as: owner }),
        (r) => r.status === 200 && r.body.status === 'completed',
        60_000,
      );
      expect(await refunded()).toBe(DONORS);
      for (const donor of donors) expect(await h.account(donor)).toMatchObject({ balance: h.sat(100) });
      const { rows } = await platform.db.pools.read.query(
        `SELECT count(*)::int AS n FROM ledger_postings p JOIN donations d ON p.reference = d.id::text
         WHERE p.kind = 'donation-refund' AND d.campaign_id = $1`,
        [campaign.id],
      );
      expect(rows[0].n).toBe(DONORS);
      expect((await platform.api.call('GET', `/campaigns/${campaign.id}`)).body).toMatchObject({ status: 'cancelled', escrow: h.sat(0) });
      expect(await escrowViolations(platform.db.pools.read)).toEqual([]);
      await h.expectLedgerBalanced();
      console.log(`[campaign crash] killed with ${atCrash} of ${DONORS} refunded; the second worker refunded the rest`);
    } finally {
      await second.stop();
    }
  }, 120_000);
});
