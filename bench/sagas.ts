/**
 * Completed paying-for-won-item sagas per second, hand-over included, against a bare
 * workflow of the same shape on the same Temporal server in the same run.
 * Each saga is started with its capture already recorded by the payments context
 * (set-up, not timed: the webhook's part) and its signal in hand (signal-with-start through
 * the gateway, under the contract's id and search attributes, as production starts it), so it
 * runs straight through: timeouts, start payment, attach it, close the window, mark paid,
 * and hand over to a delivery fulfilment child, which creates the delivery, attaches it
 * to the auction and waits for the seller (SELLER_RESPONSE_WINDOW). A round ends when
 * every saga is paid and every child is waiting for its seller (the auction row carries
 * the delivery id, the child's last step before the wait).
 * The baseline does the same with no-op steps: five activities after the signal, then a
 * child that outlives it, runs three activities and waits under a timer. The histories of
 * the last round on each side are read back: both must have the same activities, signals,
 * child workflows and timers (read once every child has started its timer, one workflow
 * task after its last activity), and nothing may have failed or been retried, else the bench
 * fails. Nothing here talks to the outside world (the seller never answers, so the carrier
 * is never booked), so no simulator runs.
 */
import { payingForWonItem } from '../workflows/paying-for-won-item.ts';
import { createAuction, endAuction, placeBid } from '../src/auctions/use-cases.ts';
import { systemClock } from '../src/kernel/clock.ts';
import { Money } from '../src/kernel/money.ts';
import { applyProviderEvent, startPayment } from '../src/payments/use-cases.ts';
import { runInUnitOfWork } from '../src/platform/db/unit-of-work.ts';
import { deliveryFulfilmentSaga } from '../workflows/delivery-fulfilment.contract.ts';
import { payingForWonItemSaga } from '../workflows/paying-for-won-item.contract.ts';
import { reachedKeys } from './activities.ts';
import { assertSameShape, benchPostgres, benchTemporal, compare, describeActivityTimes, describeCpu, describeShape, historyShape } from './support.ts';
import type { BenchBaselineInput } from './workflows/baseline.ts';

const SAGAS = 60;
/** The paying saga's activities when captured: sagaTimeouts, startPayment, attachPaymentToAuction, closePaymentWindow, markAuctionPaid. */
const SAGA_ACTIVITIES = 5;
/** The delivery child's up to its wait for the seller: sagaTimeouts, createDelivery, attachFulfilmentToAuction. */
const CHILD_ACTIVITIES = 3;
/** How often a round looks whether every child got to its wait; the same for both sides. */
const POLL_MS = 10;
/** The children wait this long, as orders wait for their seller (SELLER_RESPONSE_WINDOW's default): past the bench's end. */
const CHILD_WAIT_MS = 2 * 86_400_000;

/** Waits until every child (each second id: parent, child, parent, …) has started its timer, for 30 s at most. */
async function untilChildrenWait(client: Parameters<typeof historyShape>[0], parentsAndChildren: string[]): Promise<void> {
  const children = parentsAndChildren.filter((_, i) => i % 2 === 1);
  const deadline = Date.now() + 30_000;
  while ((await historyShape(client, children)).timers < children.length) {
    if (Date.now() > deadline) throw new Error('not every child saga started its timer within 30 s');
    await new Promise((resolve) => setTimeout(resolve, POLL_MS * 10));
  }
}

export async function run(): Promise<void> {
  console.log(
    `sagas: ${SAGAS} concurrent paying sagas per round, each to paid and its delivery saga waiting for the seller, vs a bare workflow ` +
      `with ${SAGA_ACTIVITIES} no-op activities after one signal and a child with ${CHILD_ACTIVITIES} no-op activities waiting under a timer`,
  );
  const postgres = await benchPostgres();
  const temporal = await benchTemporal(postgres.url);
  const deps = { pool: temporal.pools.write, clock: systemClock };
  const pool = temporal.pools.write;
  let round = 0;
  const until = async (done: () => Promise<boolean> | boolean) => {
    while (!(await done())) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  };
  const last = { ours: [] as string[], baseline: [] as string[] };
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

    const handedOver = async (auctionIds: string[]) => {
      const { rows } = await pool.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM auctions WHERE id = ANY($1::uuid[]) AND delivery_id IS NOT NULL',
        [auctionIds],
      );
      return rows[0]!.n === auctionIds.length;
    };

    const sagas = async () => {
      const ended = await wonAuctions(); // set-up, not timed
      const auctionIds = ended.map((a) => a.auctionId);
      temporal.cpu.start();
      const started = performance.now();
      await Promise.all(
        ended.map(async (a) => {
          // As production starts a saga: through the gateway, under its contract's id and search attributes.
          const input = {
            auctionId: a.auctionId,
            winnerId: a.winnerId!,
            sellerId: a.sellerId,
            title: a.title,
            amount: a.winningBid!,
            fulfilment: a.fulfilment,
          };
          const { delivered } = await temporal.gateway.signalWithStart(
            payingForWonItemSaga,
            input,
            payingForWonItemSaga.signals.chargeCaptured,
            { eventId: `bench-${a.auctionId}` },
            { taskQueue: temporal.taskQueue },
          );
          if (!delivered) throw new Error(`the paying saga of ${a.auctionId} had already run`);
          const handle = temporal.client.workflow.getHandle<typeof payingForWonItem>(payingForWonItemSaga.idOf(input));
          const outcome = await handle.result();
          if (outcome.outcome !== 'paid') throw new Error(`saga ended ${outcome.outcome}`);
        }),
      );
      await until(() => handedOver(auctionIds));
      const rate = SAGAS / ((performance.now() - started) / 1000);
      const { rows } = await pool.query<{ id: string; delivery_id: string }>(
        'SELECT id, delivery_id FROM auctions WHERE id = ANY($1::uuid[])',
        [auctionIds],
      );
      last.ours = rows.flatMap((r) => [payingForWonItemSaga.workflowId(r.id), deliveryFulfilmentSaga.workflowId(r.delivery_id)]);
      return rate;
    };

    const baseline = async () => {
      const batch = ++round;
      const keys = Array.from({ length: SAGAS }, (_, i) => `baseline-${batch}-${i}`);
      temporal.cpu.start();
      const started = performance.now();
      await Promise.all(
        keys.map(async (key) => {
          const input: BenchBaselineInput = {
            activities: 0,
            after: SAGA_ACTIVITIES,
            child: { workflowId: `bench-baseline-child-${key}`, activities: CHILD_ACTIVITIES, reachedKey: key, waitMs: CHILD_WAIT_MS },
          };
          const handle = await temporal.client.workflow.signalWithStart('benchBaseline', {
            workflowId: `bench-baseline-${key}`,
            taskQueue: temporal.taskQueue,
            args: [input],
            signal: 'benchDone',
            signalArgs: [],
          });
          await handle.result();
        }),
      );
      await until(() => keys.every((key) => reachedKeys.has(key)));
      const rate = SAGAS / ((performance.now() - started) / 1000);
      last.baseline = keys.flatMap((key) => [`bench-baseline-${key}`, `bench-baseline-child-${key}`]);
      return rate;
    };

    await sagas();
    await baseline();
    const result = await compare({ ours: sagas, baseline }, 5, { meter: temporal.cpu, perRound: SAGAS });

    // A round ends when each child's last activity has run; the child starts its timer in the workflow task after.
    await untilChildrenWait(temporal.client, last.ours);
    await untilChildrenWait(temporal.client, last.baseline);
    const ours = await historyShape(temporal.client, last.ours);
    const bare = await historyShape(temporal.client, last.baseline);
    console.log(`paying saga + delivery child, each: ${describeShape(ours, SAGAS)}`);
    console.log(`baseline + child, each: ${describeShape(bare, SAGAS)}`);
    console.log(`saga activities, median scheduled→completed: ${describeActivityTimes(ours)}`);
    console.log(describeCpu(result.cpu!, 'saga'));
    assertSameShape(ours, bare);
    console.log(`paying-for-won-item: ${result.ours.toFixed(1)} sagas/s`);
    console.log(`bare workflow baseline: ${result.baseline.toFixed(1)} workflows/s`);
    console.log(`ratio=${result.ratio.toFixed(2)}`);
  } finally {
    await temporal.stop();
    await postgres.stop();
  }
}
