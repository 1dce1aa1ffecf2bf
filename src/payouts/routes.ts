import { createRoute, z } from '@hono/zod-openapi';
import type { RegisterRoutes } from '../platform/http/app.ts';
import { assertSelf, requireCustomer } from '../platform/http/auth.ts';
import { BEARER_AUTH, CustomerIdParam, MoneyView, problemResponses } from '../platform/http/schemas.ts';
import { listPayoutsOfSeller } from './queries.ts';

export const PayoutView = z
  .object({
    id: z.string(),
    auctionId: z.string(),
    title: z.string(),
    gross: MoneyView,
    fee: MoneyView,
    net: MoneyView,
    status: z.enum(['scheduled', 'paid']),
    payableAt: z.string(),
    paidAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('Payout');

export const registerPayoutRoutes: RegisterRoutes = (app, { config, pools }) => {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/customers/{id}/payouts',
      tags: ['payouts'],
      summary:
        "The seller's payouts, newest first: gross less the platform's fee, paid SETTLEMENT_DELAY after the sale is final (own only)",
      security: BEARER_AUTH,
      middleware: [requireCustomer(config)] as const,
      request: { params: CustomerIdParam },
      responses: {
        200: { description: 'Payouts', content: { 'application/json': { schema: z.object({ payouts: z.array(PayoutView) }) } } },
        ...problemResponses(401, 403),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      assertSelf(id, c.get('customerId'), 'payouts');
      return c.json({ payouts: await listPayoutsOfSeller(pools.read, id) }, 200);
    },
  );
};
