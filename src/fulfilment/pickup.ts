import type pg from 'pg';
import type { WorkflowGateway } from '../platform/temporal/workflow-gateway.ts';
import { deliveryFulfilmentSaga } from '../../workflows/delivery-fulfilment.contract.ts';
import { serviceFulfilmentSaga } from '../../workflows/service-fulfilment.contract.ts';

/**
 * Starts the fulfilment sagas for paid auctions handed over before those sagas existed
 * (rows in `pending_fulfilments`). Each row gets its fulfilment id once, in the row, so a
 * repeated pickup starts the same workflow id, which the gateway does not start twice.
 * Returns how many it started.
 */
export async function pickUpPendingFulfilments(pool: pg.Pool, workflows: WorkflowGateway, taskQueue: string): Promise<number> {
  const { rows } = await pool.query<{
    auction_id: string;
    kind: 'delivery' | 'service';
    buyer_id: string;
    seller_id: string;
    payment_id: string;
    fulfilment_id: string;
    title: string;
  }>(
    `UPDATE pending_fulfilments p SET fulfilment_id = coalesce(p.fulfilment_id, gen_random_uuid())
     FROM payments pay WHERE p.picked_up_at IS NULL AND pay.id = p.payment_id
     RETURNING p.auction_id, p.kind, p.buyer_id, p.seller_id, p.payment_id, p.fulfilment_id, pay.title`,
  );
  let started = 0;
  for (const row of rows) {
    const common = {
      auctionId: row.auction_id,
      buyerId: row.buyer_id,
      sellerId: row.seller_id,
      paymentId: row.payment_id,
      title: row.title,
    };
    const result =
      row.kind === 'delivery'
        ? await workflows.start(deliveryFulfilmentSaga, { ...common, deliveryId: row.fulfilment_id }, { taskQueue })
        : await workflows.start(serviceFulfilmentSaga, { ...common, serviceId: row.fulfilment_id }, { taskQueue });
    await pool.query('UPDATE pending_fulfilments SET picked_up_at = now() WHERE auction_id = $1', [row.auction_id]);
    if (result.started) started++;
  }
  return started;
}
