import type pg from 'pg';
import { z } from 'zod';
import { requestFulfilment } from '../src/shipping/handover.ts';

const FulfilmentRequest = z.object({
  auctionId: z.string().uuid(),
  kind: z.enum(['delivery', 'service']),
  buyerId: z.string().min(1),
  sellerId: z.string().min(1),
  paymentId: z.string().uuid(),
});

/** Activities of the shipping (fulfilment) context. */
export function createShippingActivities(deps: { pool: pg.Pool }) {
  return {
    requestFulfilment: (request: z.input<typeof FulfilmentRequest>) => requestFulfilment(deps.pool, FulfilmentRequest.parse(request)),
  };
}

export type ShippingActivities = ReturnType<typeof createShippingActivities>;
