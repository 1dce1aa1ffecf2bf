import type pg from 'pg';
import type { Fulfilment } from '../auctions/domain.ts';

export interface FulfilmentRequest {
  auctionId: string;
  kind: Fulfilment;
  buyerId: string;
  sellerId: string;
  paymentId: string;
}

/**
 * The paying saga's hand-over to fulfilment: records that a paid auction awaits delivery
 * or its voucher. Once per auction, whatever the retries. The fulfilment sagas pick these
 * rows up.
 */
export async function requestFulfilment(pool: pg.Pool, request: FulfilmentRequest): Promise<void> {
  await pool.query(
    `INSERT INTO pending_fulfilments (auction_id, kind, buyer_id, seller_id, payment_id)
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (auction_id) DO NOTHING`,
    [request.auctionId, request.kind, request.buyerId, request.sellerId, request.paymentId],
  );
}
