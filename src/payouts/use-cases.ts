import type pg from 'pg';
import { NotFound } from '../kernel/errors.ts';
import { newId } from '../kernel/ids.ts';
import type { Money } from '../kernel/money.ts';
import { retryOnConflict } from '../platform/db/retry-on-conflict.ts';
import { runInUnitOfWork } from '../platform/db/unit-of-work.ts';
import { Payout, type FeeBasisPoints, type PayoutStatus } from './domain.ts';
import { addPayout, findPayout, findPayoutOfAuction } from './repository.ts';

/**
 * Schedules the seller's payout for a sold auction, once: a retried step finds the
 * payout it made (one per auction, by the table's unique key too), whatever it is asked
 * the second time.
 */
export async function schedulePayout(
  pool: pg.Pool,
  input: { auctionId: string; sellerId: string; title: string; gross: Money; feeBasisPoints: FeeBasisPoints; payableAt: Date },
): Promise<{ payoutId: string }> {
  return retryOnConflict(() =>
    runInUnitOfWork(pool, async (uow) => {
      const existing = await findPayoutOfAuction(uow, input.auctionId);
      if (existing) return { payoutId: existing.id };
      const payout = Payout.schedule({ id: newId(), ...input });
      addPayout(uow, payout);
      return { payoutId: payout.id };
    }),
  );
}

/** Pays a scheduled payout, once (its posting is unique per payout as well). */
export async function payPayout(pool: pg.Pool, payoutId: string, now: Date): Promise<{ status: PayoutStatus }> {
  return retryOnConflict(() =>
    runInUnitOfWork(pool, async (uow) => {
      const payout = await findPayout(uow, payoutId);
      if (!payout) throw new NotFound(`no payout ${payoutId}`);
      payout.pay(newId(), now);
      return { status: payout.state.status };
    }),
  );
}
