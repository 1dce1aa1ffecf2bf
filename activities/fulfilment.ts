import type pg from 'pg';
import { z } from 'zod';
import type { Carrier } from '../src/fulfilment/carrier.ts';
import { requestFulfilment } from '../src/fulfilment/handover.ts';
import { bookCarrier, createDelivery, declareLost, issueVoucher, recordMissedDeadline } from '../src/fulfilment/use-cases.ts';

const FulfilmentRequest = z.object({
  auctionId: z.string().uuid(),
  kind: z.enum(['delivery', 'service']),
  buyerId: z.string().min(1),
  sellerId: z.string().min(1),
  paymentId: z.string().uuid(),
});
const Parties = z.object({
  auctionId: z.string().uuid(),
  buyerId: z.string().min(1),
  sellerId: z.string().min(1),
  paymentId: z.string().uuid(),
  title: z.string(),
});
const Id = z.string().uuid();

/** Activities of the fulfilment context (delivery and service transactions); each idempotent by delivery or service id. */
export function createFulfilmentActivities(deps: { pool: pg.Pool; carrier: Carrier }) {
  const { pool, carrier } = deps;
  return {
    /** Before the fulfilment sagas: records the hand-over for them to pick up. Kept for sagas already running. */
    requestFulfilment: (request: z.input<typeof FulfilmentRequest>) => requestFulfilment(pool, FulfilmentRequest.parse(request)),
    createDelivery: (input: z.input<typeof Parties> & { deliveryId: string }) =>
      createDelivery(pool, { ...Parties.parse(input), deliveryId: Id.parse(input.deliveryId) }),
    bookCarrier: (deliveryId: string) => bookCarrier(pool, carrier, Id.parse(deliveryId)),
    recordMissedDeadline: (deliveryId: string, stage: 'shipping' | 'delivery', missed: number) =>
      recordMissedDeadline(
        pool,
        Id.parse(deliveryId),
        z.enum(['shipping', 'delivery']).parse(stage),
        z.number().int().positive().parse(missed),
      ),
    declareLost: (deliveryId: string) => declareLost(pool, carrier, Id.parse(deliveryId)),
    issueVoucher: (input: z.input<typeof Parties> & { serviceId: string }) =>
      issueVoucher(pool, { ...Parties.parse(input), serviceId: Id.parse(input.serviceId) }),
  };
}

export type FulfilmentActivities = ReturnType<typeof createFulfilmentActivities>;
