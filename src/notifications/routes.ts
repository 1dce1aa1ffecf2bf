import { createRoute, z } from '@hono/zod-openapi';
import type { RegisterRoutes } from '../platform/http/app.ts';
import { assertSelf, requireCustomer } from '../platform/http/auth.ts';
import { BEARER_AUTH, CustomerIdParam, problemResponses } from '../platform/http/schemas.ts';
import { listNotifications } from './queries.ts';

const Notification = z
  .object({
    id: z.string(),
    kind: z.string(),
    subject: z.string(),
    body: z.string(),
    data: z.record(z.string(), z.unknown()),
    sentAt: z.string(),
  })
  .openapi('Notification');

export const registerNotificationRoutes: RegisterRoutes = (app, { config, pools }) => {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/customers/{id}/notifications',
      tags: ['notifications'],
      summary: 'The e-mails the platform sent this customer, newest first (own only)',
      security: BEARER_AUTH,
      middleware: [requireCustomer(config)] as const,
      request: {
        params: CustomerIdParam,
      },
      responses: {
        200: {
          description: 'Notifications',
          content: { 'application/json': { schema: z.object({ notifications: z.array(Notification) }) } },
        },
        ...problemResponses(401, 403),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      assertSelf(id, c.get('customerId'), 'notifications');
      return c.json({ notifications: await listNotifications(pools.read, id) }, 200);
    },
  );
};
