import { createRoute, z } from '@hono/zod-openapi';
import { Forbidden, NotFound } from '../kernel/errors.ts';
import type { RegisterRoutes } from '../platform/http/app.ts';
import { requireCustomer } from '../platform/http/auth.ts';
import { BEARER_AUTH, IdParam, problemResponses } from '../platform/http/schemas.ts';
import { knownEventsOnly } from '../platform/http/webhook-events.ts';
import { receiveWebhooks } from '../platform/http/webhooks.ts';
import { receiveCarrierPackageEvent } from './carrier-package-event.ts';
import { parseCarrierWebhookEvent } from './carrier-webhook-events.ts';
import { getDelivery, getService } from './queries.ts';
import { redeemVoucher } from './use-cases.ts';

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
  status: z.enum(['pending', 'shipped', 'delivered', 'returned', 'lost']),
  trackingNumber: z.string().nullable(),
  address: z.string(),
  missedDeadlines: z.number().int(),
}).openapi('Delivery');

const ServiceView = TransactionView.extend({
  status: z.enum(['issued', 'redeemed']),
  code: z.string().optional().openapi({ description: 'shown to the buyer only' }),
}).openapi('Service');

/** Buyer and seller may read a transaction; anyone else is told it is not theirs. */
function assertParty(transaction: { buyerId: string; sellerId: string }, customerId: string, what: string): void {
  if (customerId !== transaction.buyerId && customerId !== transaction.sellerId) throw new Forbidden(`not your ${what}`);
}

export const registerFulfilmentRoutes: RegisterRoutes = (app, { config, pools, workflows, clock, logger }) => {
  const auth = requireCustomer(config);

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

  app.openapi(
    createRoute({
      method: 'post',
      path: '/services/{id}/redeem',
      tags: ['fulfilment'],
      summary: 'The buyer redeems the voucher, once (again: 409)',
      security: BEARER_AUTH,
      middleware: [auth] as const,
      request: { params: IdParam },
      responses: {
        200: { description: 'Redeemed', content: { 'application/json': { schema: ServiceView } } },
        ...problemResponses(400, 401, 403, 404, 409),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await redeemVoucher(pools.write, id, c.get('customerId'));
      return c.json((await getService(pools.write, id, c.get('customerId')))!, 200);
    },
  );

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
