import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { keywordLists, toWorkflowStatus } from '../../src/platform/temporal/workflow-gateway.ts';
import { deliveryFulfilmentSaga } from '../../workflows/delivery-fulfilment.contract.ts';
import { serviceFulfilmentSaga } from '../../workflows/service-fulfilment.contract.ts';
import { concurrencyLimit } from './concurrency-limit.ts';
import type { InvariantRow } from './invariant-row.ts';
import { expectedEnd, isFinal, readOrders, type OrderRecord, type PayoutRecord } from './orders.ts';
import type { InvariantWorld } from './world.ts';

export const ORDER_OUTCOMES_ROW = 'final orders agree with their refund, payout, payment, auction and saga outcome';

/** How the saga of an order ended, as Temporal records it: its status, its last step, and the outcome it returned. */
export interface SagaEnd {
  status: string;
  step: string | undefined;
  outcome: string | undefined;
}

/**
 * Each ended order against everything its end implies (API.md, issue 13):
 * - confirmed or redeemed: nothing refunded, the payment captured, the auction paid, one
 *   payout of the whole price, paid (and not before it was payable);
 * - rejected, cancelled, returned or lost (a delivery), cancelled (a voucher): refunded in
 *   full, the payment and the auction refunded, no payout;
 * - expired: 90% (half up) refunded, the payment refunded, the auction still paid, one paid
 *   payout of the remaining 10%;
 * - its saga completed, returned that same outcome, and its last step is that status.
 */
export function orderOutcomeViolations(
  orders: readonly OrderRecord[],
  payouts: readonly PayoutRecord[],
  sagas: ReadonlyMap<string, SagaEnd>,
): string[] {
  const violations: string[] = [];
  const payoutByAuction = new Map(payouts.map((p) => [p.auctionId, p]));
  for (const order of orders.filter(isFinal)) {
    const found: string[] = [];
    const expected = expectedEnd(order)!;
    const refunded = order.kept?.refundedMinor;
    if (refunded !== expected.refundMinor) found.push(`${refunded ?? 'no charge'} refunded, expected ${expected.refundMinor}`);
    if (order.paymentStatus !== expected.payment) found.push(`its payment is ${order.paymentStatus}, expected ${expected.payment}`);
    if (order.auctionStatus !== expected.auction)
      found.push(`its auction is ${order.auctionStatus ?? 'absent'}, expected ${expected.auction}`);
    const payout = payoutByAuction.get(order.auctionId);
    if (expected.grossMinor === 0n && payout) found.push(`payout ${payout.id} of ${payout.grossMinor}, expected none`);
    if (expected.grossMinor > 0n) {
      if (!payout) found.push(`no payout, expected one of ${expected.grossMinor}`);
      else {
        if (payout.grossMinor !== expected.grossMinor)
          found.push(`payout ${payout.id} of ${payout.grossMinor}, expected ${expected.grossMinor}`);
        if (payout.status !== 'paid') found.push(`payout ${payout.id} is ${payout.status}, its saga is done`);
        if (payout.paidAt && payout.paidAt.getTime() < payout.payableAt.getTime()) {
          found.push(
            `payout ${payout.id} paid at ${payout.paidAt.toISOString()}, before it was payable at ${payout.payableAt.toISOString()}`,
          );
        }
      }
    }
    const sagaId = sagaIdOf(order);
    const saga = sagas.get(sagaId);
    if (!saga || saga.status !== 'completed' || saga.outcome !== order.status || saga.step !== order.status) {
      found.push(
        `${sagaId} is ${saga?.status ?? 'unknown'} with outcome ${saga?.outcome ?? 'none'} at step ${saga?.step ?? 'none'}, expected completed with ${order.status}`,
      );
    }
    if (found.length > 0) violations.push(`${order.kind} ${order.id} (${order.status}, auction ${order.auctionId}): ${found.join('; ')}`);
  }
  return violations;
}

const sagaIdOf = (order: OrderRecord) =>
  order.kind === 'delivery' ? deliveryFulfilmentSaga.workflowId(order.id) : serviceFulfilmentSaga.workflowId(order.id);

/** Each saga's end from Temporal: describe (status, SagaStep) and, once completed, its result (which needs no worker). */
export async function sagaEnds(temporal: Client, workflowIds: readonly string[]): Promise<Map<string, SagaEnd>> {
  const limit = concurrencyLimit(16);
  const ends = await Promise.all(
    workflowIds.map((id) =>
      limit(async (): Promise<[string, SagaEnd]> => {
        try {
          const handle = temporal.workflow.getHandle(id);
          const description = await handle.describe();
          const status = toWorkflowStatus(description.status.name);
          const step = keywordLists(description.searchAttributes as Record<string, unknown>).SagaStep?.[0];
          const result = status === 'completed' ? ((await handle.result()) as { outcome?: string } | undefined) : undefined;
          return [id, { status, step, outcome: result?.outcome }];
        } catch (error) {
          if (error instanceof WorkflowNotFoundError) return [id, { status: 'not found', step: undefined, outcome: undefined }];
          throw error;
        }
      }),
    ),
  );
  return new Map(ends);
}

export async function orderOutcomesRow(world: InvariantWorld): Promise<Omit<InvariantRow, 'name'>> {
  const { orders, payouts } = await readOrders(world.read, world.paymentsUrl);
  const final = orders.filter(isFinal);
  const sagas = await sagaEnds(world.temporal, final.map(sagaIdOf));
  return { checked: final.length, violations: orderOutcomeViolations(orders, payouts, sagas) };
}
