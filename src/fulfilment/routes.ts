import { createRoute, z } from '@hono/zod-openapi';
import { Forbidden, NotFound } from '../kernel/errors.ts';
import type { RegisterRoutes } from '../platform/http/app.ts';
import { requireCustomer } from '../platform/http/auth.ts';
import { idempotencyKeys } from '../platform/http/idempotency.ts';
import { PgIdempotencyStore } from '../platform/db/idempotency-store.ts';
import { BEARER_AUTH, IdParam, jsonBody, jsonContent, problemResponses } from '../platform/http/schemas.ts';
import { knownEventsOnly } from '../platform/http/webhook-events.ts';
import { receiveWebhooks } from '../platform/http/webhooks.ts';
import { HttpCarrier } from './carrier.ts';
import { DELIVERY_STATUSES } from './delivery.ts';
import { SERVICE_STATUSES } from './service.ts';
import { receiveCarrierPackageEvent } from './carrier-package-event.ts';
import { parseCarrierWebhookEvent } from './carrier-webhook-events.ts';
import { getDelivery, getService } from './queries.ts';
import { moveOrder, moveVoucher, type OrderAction } from './order-actions.ts';

/** What delivery and service transactions share: the won auction and its parties. */
const TransactionView = z.object({
  id: z.string(),
  auctionId: z.string(),
  buyerId: z.string(),
  sellerId: z.string(),
  paymentId: z.string(),
  title: z.string(),
  createdAt: z.string(),
  version: z.number().int(),
});

const DeliveryView = TransactionView.extend({
  status: z.enum(DELIVERY_STATUSES),
  trackingNumber: z.string().nullable(),
  returnTrackingNumber: z.string().nullable(),
  reason: z.string().nullable().openapi({ description: "the seller's reason for a rejection, or the buyer's for a return" }),
  address: z.string(),
  missedDeadlines: z.number().int(),
}).openapi('Delivery');

const ServiceView = TransactionView.extend({
  status: z.enum(SERVICE_STATUSES),
  code: z.string().optional().openapi({ description: 'shown to the buyer only' }),
}).openapi('Service');

/** Why a seller rejects an order or a buyer sends it back: said in a few words, shown to both. */
const Reason = z.object({ reason: z.string().trim().min(1).max(500) }).openapi('Reason');

/** The order routes: who may do what is the delivery's rule (any other caller: 403). */
const ORDER_ROUTES = [
  { path: 'accept', action: 'accept', who: 'seller', summary: 'The seller accepts the paid order; the carrier is booked' },
  {
    path: 'reject',
    action: 'reject',
    who: 'seller',
    summary: 'The seller rejects the paid order { reason }; the buyer is refunded in full',
  },
  {
    path: 'cancel',
    action: 'cancel',
    who: 'buyer',
    summary: 'The buyer cancels before the parcel ships (refunded in full); 409 once shipped',
  },
  {
    path: 'confirm',
    action: 'confirm',
    who: 'buyer',
    summary: "The buyer confirms receipt of a delivered order; the seller's payout is scheduled",
  },
  {
    path: 'returns',
    action: 'return',
    who: 'buyer',
    summary: 'The buyer claims a return { reason } after delivery and before confirmation',
  },
] as const;

/** Buyer and seller may read a transaction; anyone else is told it is not theirs. */
function assertParty(transaction: { buyerId: string; sellerId: string }, customerId: string, what: string): void {
  if (customerId !== transaction.buyerId && customerId !== transaction.sellerId) throw new Forbidden(`not your ${what}`);
}

export const registerFulfilmentRoutes: RegisterRoutes = (app, { config, pools, workflows, clock, logger }) => {
  const auth = requireCustomer(config);
  const idempotent = idempotencyKeys(new PgIdempotencyStore(pools.write));

  app.openapi(
    createRoute({
      method: 'get',
      path: '/deliveries/{id}',
      tags: ['fulfilment'],
      summary: 'A delivery transaction (buyer and seller only)',
      security: BEARER_AUTH,
      middleware: [auth] as const,
      request: { params: IdParam },
      responses: {
        200: { description: 'The delivery', content: { 'application/json': { schema: DeliveryView } } },
        ...problemResponses(400, 401, 403, 404),
      },
    }),
    async (c) => {
      const delivery = await getDelivery(pools.read, c.req.valid('param').id);
      if (!delivery) throw new NotFound(`no delivery ${c.req.valid('param').id}`);
      assertParty(delivery, c.get('customerId'), 'delivery');
      return c.json(delivery, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/services/{id}',
      tags: ['fulfilment'],
      summary: 'A service transaction (e-voucher); the code is shown to the buyer only',
      security: BEARER_AUTH,
      middleware: [auth] as const,
      request: { params: IdParam },
      responses: {
        200: { description: 'The voucher', content: { 'application/json': { schema: ServiceView } } },
        ...problemResponses(400, 401, 403, 404),
      },
    }),
    async (c) => {
      const service = await getService(pools.read, c.req.valid('param').id, c.get('customerId'));
      if (!service) throw new NotFound(`no service ${c.req.valid('param').id}`);
      assertParty(service, c.get('customerId'), 'voucher');
      return c.json(service, 200);
    },
  );

  const carrier = new HttpCarrier(config.CARRIER_URL);
  const moveTo = async (deliveryId: string, customerId: string, move: OrderAction) => {
    await moveOrder({ pool: pools.write, workflows, carrier }, { deliveryId, customerId, ...move });
    return (await getDelivery(pools.write, deliveryId))!;
  };
  const orderRoute = (route: (typeof ORDER_ROUTES)[number], withReason: boolean) =>
    createRoute({
      method: 'post',
      path: `/deliveries/{id}/${route.path}`,
      tags: ['fulfilment'],
      summary: `${route.summary} (the ${route.who} only; a repeat is answered as the first)`,
      security: BEARER_AUTH,
      middleware: [auth, idempotent] as const,
      request: { params: IdParam, ...(withReason ? jsonBody(Reason) : {}) },
      responses: {
        200: jsonContent(DeliveryView, 'The order after the move'),
        ...problemResponses(400, 401, 403, 404, 409),
      },
    });
  for (const route of ORDER_ROUTES) {
    if (route.action === 'reject' || route.action === 'return') {
      const action = route.action;
      app.openapi({ ...orderRoute(route, true), request: { params: IdParam, ...jsonBody(Reason) } }, async (c) =>
        c.json(await moveTo(c.req.valid('param').id, c.get('customerId'), { action, reason: c.req.valid('json').reason }), 200),
      );
    } else {
      const action = route.action;
      app.openapi(orderRoute(route, false), async (c) =>
        c.json(await moveTo(c.req.valid('param').id, c.get('customerId'), { action }), 200),
      );
    }
  }

  for (const action of ['redeem', 'cancel'] as const) {
    app.openapi(
      createRoute({
        method: 'post',
        path: `/services/{id}/${action}`,
        tags: ['fulfilment'],
        summary:
          action === 'redeem'
            ? 'The buyer redeems the voucher, once (again: 409; after VOUCHER_VALIDITY: 409)'
            : 'The buyer cancels an unused voucher within VOUCHER_CANCEL_WINDOW (refunded in full; later: 422)',
        security: BEARER_AUTH,
        middleware: [auth, idempotent] as const,
        request: { params: IdParam },
        responses: {
          200: jsonContent(ServiceView, action === 'redeem' ? 'Redeemed' : 'Cancelled'),
          ...problemResponses(400, 401, 403, 404, 409, 422),
        },
      }),
      async (c) => {
        const { id } = c.req.valid('param');
        await moveVoucher(
          {
            pool: pools.write,
            workflows,
            clock,
            terms: { validityMs: config.VOUCHER_VALIDITY, cancelWindowMs: config.VOUCHER_CANCEL_WINDOW },
          },
          { serviceId: id, customerId: c.get('customerId'), action },
        );
        return c.json((await getService(pools.write, id, c.get('customerId')))!, 200);
      },
    );
  }

  app.post(
    '/webhooks/carrier',
    receiveWebhooks({
      source: 'carrier',
      secret: config.CARRIER_WEBHOOK_SECRET,
      pool: pools.write,
      clock,
      handle: knownEventsOnly('carrier', parseCarrierWebhookEvent, logger, (event, uow) =>
        receiveCarrierPackageEvent({ workflows }, uow, event),
      ),
    }),
  );
};
