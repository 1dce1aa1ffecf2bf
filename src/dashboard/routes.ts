import { createRoute, z } from '@hono/zod-openapi';
import type { RegisterRoutes } from '../platform/http/app.ts';
import { assertSelf, requireCustomer } from '../platform/http/auth.ts';
import { BEARER_AUTH, CustomerIdParam, MoneyView, problemResponses } from '../platform/http/schemas.ts';
import { PayoutView } from '../payouts/routes.ts';
import { getDashboard } from './queries.ts';

const DashboardView = z
  .looseObject({
    customerId: z.string(),
    account: z.looseObject({ id: z.string(), balance: MoneyView, reserved: MoneyView, available: MoneyView }),
    balance: MoneyView,
    reserved: MoneyView,
    available: MoneyView,
    withdrawals: z.array(z.looseObject({ id: z.string(), status: z.string(), amount: MoneyView })),
    bids: z.array(z.looseObject({ id: z.string(), auctionId: z.string(), amount: MoneyView })),
    wonAuctions: z.array(z.looseObject({ id: z.string(), title: z.string(), status: z.string(), price: MoneyView })),
    payments: z.array(z.looseObject({ id: z.string(), status: z.string(), amount: MoneyView })),
    deliveries: z.array(z.looseObject({ id: z.string(), status: z.string() })),
    vouchers: z.array(z.looseObject({ id: z.string(), status: z.string() })),
    campaigns: z.object({
      owned: z.array(z.looseObject({ id: z.string(), title: z.string(), status: z.string(), goal: MoneyView, raised: MoneyView })),
      donatedTo: z.array(z.looseObject({ id: z.string(), campaignId: z.string(), amount: MoneyView, status: z.string() })),
    }),
    deposits: z.array(z.looseObject({ id: z.string(), status: z.string(), amount: MoneyView })),
    transfers: z.array(z.looseObject({ id: z.string(), fromAccountId: z.string(), toAccountId: z.string(), amount: MoneyView })),
    payouts: z.array(PayoutView),
  })
  .openapi('Dashboard');

export const registerDashboardRoutes: RegisterRoutes = (app, { config, pools, clock }) => {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/customers/{id}/dashboard',
      tags: ['dashboard'],
      summary:
        'One read model of a customer: account, withdrawals, deposits, transfers, campaigns owned and donated to, bids, won auctions, payments, deliveries, vouchers, payouts (own only)',
      security: BEARER_AUTH,
      middleware: [requireCustomer(config)] as const,
      request: {
        params: CustomerIdParam,
      },
      responses: {
        200: { description: 'The dashboard', content: { 'application/json': { schema: DashboardView } } },
        ...problemResponses(401, 403),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      assertSelf(id, c.get('customerId'), 'dashboard');
      return c.json(await getDashboard(pools.read, id, clock.now()), 200);
    },
  );
};
