import type pg from 'pg';
import { z } from 'zod';
import type { Carrier } from '../src/fulfilment/carrier.ts';
import { requestFulfilment } from '../src/fulfilment/handover.ts';
import { expiredVoucherRefund } from '../src/fulfilment/service.ts';
import {
  bookCarrier,
  bookReturn,
  cancelShipment,
  confirmUnclaimedDelivery,
  createDelivery,
  declareLost,
  deliveryStatus,
  expireVoucher,
  issueVoucher,
  recordMissedDeadline,
  rejectUnansweredOrder,
  remindToConfirm,
  serviceStatus,
  settleOverdueReturn,
} from '../src/fulfilment/use-cases.ts';
import { Money } from '../src/kernel/money.ts';
import type { PaymentProvider } from '../src/payments/payment-provider.ts';
import { getPayment } from '../src/payments/queries.ts';
import { refundPayment } from '../src/payments/use-cases.ts';

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
export function createFulfilmentActivities(deps: { pool: pg.Pool; carrier: Carrier; provider: PaymentProvider }) {
  const { pool, carrier, provider } = deps;
  return {
    /** Before the fulfilment sagas: records the hand-over for them to pick up. Kept for sagas already running. */
    requestFulfilment: (request: z.input<typeof FulfilmentRequest>) => requestFulfilment(pool, FulfilmentRequest.parse(request)),
    createDelivery: (input: z.input<typeof Parties> & { deliveryId: string }) =>
      createDelivery(pool, { ...Parties.parse(input), deliveryId: Id.parse(input.deliveryId) }),
    deliveryStatus: (deliveryId: string) => deliveryStatus(pool, Id.parse(deliveryId)),
    rejectUnansweredOrder: (deliveryId: string) => rejectUnansweredOrder(pool, Id.parse(deliveryId)),
    bookCarrier: (deliveryId: string) => bookCarrier(pool, carrier, Id.parse(deliveryId)),
    cancelShipment: (deliveryId: string) => cancelShipment(pool, carrier, Id.parse(deliveryId)),
    recordMissedDeadline: (deliveryId: string, stage: 'shipping' | 'delivery', missed: number) =>
      recordMissedDeadline(
        pool,
        Id.parse(deliveryId),
        z.enum(['shipping', 'delivery']).parse(stage),
        z.number().int().positive().parse(missed),
      ),
    declareLost: (deliveryId: string) => declareLost(pool, carrier, Id.parse(deliveryId)),
    remindToConfirm: (deliveryId: string) => remindToConfirm(pool, Id.parse(deliveryId)),
    confirmUnclaimedDelivery: (deliveryId: string) => confirmUnclaimedDelivery(pool, Id.parse(deliveryId)),
    bookReturn: (deliveryId: string) => bookReturn(pool, carrier, Id.parse(deliveryId)),
    settleOverdueReturn: (deliveryId: string) => settleOverdueReturn(pool, carrier, Id.parse(deliveryId)),
    issueVoucher: (input: z.input<typeof Parties> & { serviceId: string }) =>
      issueVoucher(pool, { ...Parties.parse(input), serviceId: Id.parse(input.serviceId) }),
    serviceStatus: (serviceId: string) => serviceStatus(pool, Id.parse(serviceId)),
    expireVoucher: (serviceId: string) => expireVoucher(pool, Id.parse(serviceId)),
    /** An expired voucher's refund: 90% of what the buyer paid, once (the payment's refund key). */
    refundExpiredVoucher: async (paymentId: string) => {
      const payment = await getPayment(pool, Id.parse(paymentId));
      if (!payment) throw new Error(`no payment ${paymentId}`);
      return refundPayment(pool, provider, payment.id, expiredVoucherRefund(Money.fromJSON(payment.amount)));
    },
  };
}

export type FulfilmentActivities = ReturnType<typeof createFulfilmentActivities>;
