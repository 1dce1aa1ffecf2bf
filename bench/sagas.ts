/**
 * Completed paying-for-won-item sagas per second against a bare workflow with the same
 * number of no-op activities and one signal, on the same Temporal server in the same
 * run. Each saga is started with its capture already recorded by the payments context
 * (set-up, not timed: the webhook's part) and its signal in hand (signal-with-start), so it
 * runs straight through: timeouts, start payment, attach it, close the window, mark paid,
 * hand over.
 */
import { payingForWonItem } from '../workflows/paying-for-won-item.ts';
import { createAuction, endAuction, placeBid } from '../src/auctions/use-cases.ts';
import { systemClock } from '../src/kernel/clock.ts';
import { Money } from '../src/kernel/money.ts';
import { applyProviderEvent, startPayment } from '../src/payments/use-cases.ts';
import { runInUnitOfWork } from '../src/platform/db/unit-of-work.ts';
import { payingForWonItemSaga } from '../workflows/paying-for-won-item.contract.ts';
import { benchPostgres, benchTemporal, compare } from './support.ts';

const SAGAS = 60;
/** Activities a straight-through saga runs: sagaTimeouts, startPayment, attachPaymentToAuction, closePaymentWindow, markAuctionPaid. */
const SAGA_ACTIVITIES = 5;

export async function run(): Promise<void> {
  console.log(`sagas: ${SAGAS} concurrent sagas per round vs a bare workflow with ${SAGA_ACTIVITIES} no-op activities and one signal`);
  const postgres = await benchPostgres();
  const temporal = await benchTemporal(postgres.url);
  const deps = { pool: temporal.pools.write, clock: systemClock };
  let round = 0;
  try {
    const wonAuctions = async () =>
      Promise.all(
        Array.from({ length: SAGAS }, async (_, i) => {
          const { auctionId } = await createAuction(deps, {
            sellerId: 'seller',
            title: `Lot ${i}`,
            startingPrice: Money.of('1.00', 'USD'),
            endsAt: new Date(Date.now() + 3_600_000),
            fulfilment: 'delivery',
          });
          await placeBid(deps, { auctionId, bidderId: `buyer-${i}`, amount: Money.of('2.00', 'USD') });
          const ended = await endAuction(deps, auctionId);
          // What the provider's capture webhook records before it signals the saga.
          const { paymentId } = await startPayment(deps.pool, {
            auctionId,
            payerId: ended.winnerId!,
            payeeId: ended.sellerId,
            amount: ended.winningBid!,
            title: ended.title,
            payableUntil: new Date(Date.now() + 3_600_000).toISOString(),
          });
          await runInUnitOfWork(deps.pool, (uow) =>
            applyProviderEvent(uow, { type: 'captured', paymentId, providerChargeId: `bench-charge-${auctionId}` }),
          );
          return ended;
        }),
      );

    const sagas = async () => {
      const ended = await wonAuctions(); // set-up, not timed
      const started = performance.now();
      await Promise.all(
        ended.map(async (a) => {
          const handle = await temporal.client.workflow.signalWithStart(payingForWonItem, {
            workflowId: `bench-paying-${a.auctionId}`,
            taskQueue: temporal.taskQueue,
            args: [
              {
                auctionId: a.auctionId,
                winnerId: a.winnerId!,
                sellerId: a.sellerId,
                title: a.title,
                amount: a.winningBid!,
                fulfilment: a.fulfilment,
              },
            ],
            signal: payingForWonItemSaga.signals.chargeCaptured,
            signalArgs: [{ eventId: `bench-${a.auctionId}` }],
          });
          const outcome = await handle.result();
          if (outcome.outcome !== 'paid') throw new Error(`saga ended ${outcome.outcome}`);
        }),
      );
      return SAGAS / ((performance.now() - started) / 1000);
    };

    const baseline = async () => {
      const batch = ++round;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: SAGAS }, async (_, i) => {
          const handle = await temporal.client.workflow.signalWithStart('benchBaseline', {
            workflowId: `bench-baseline-${batch}-${i}`,
            taskQueue: temporal.taskQueue,
            args: [{ activities: SAGA_ACTIVITIES }],
            signal: 'benchDone',
            signalArgs: [],
          });
          await handle.result();
        }),
      );
      return SAGAS / ((performance.now() - started) / 1000);
    };

    await sagas();
    await baseline();
    const result = await compare({ ours: sagas, baseline }, 3);
    console.log(`paying-for-won-item: ${result.ours.toFixed(1)} sagas/s`);
    console.log(`bare workflow baseline: ${result.baseline.toFixed(1)} workflows/s`);
    console.log(`ratio=${result.ratio.toFixed(2)}`);
  } finally {
    await temporal.stop();
    await postgres.stop();
  }
}
