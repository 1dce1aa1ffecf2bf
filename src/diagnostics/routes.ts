import { createRoute, z } from '@hono/zod-openapi';
import { Forbidden, NotFound } from '../kernel/errors.ts';
import type { RegisterRoutes } from '../platform/http/app.ts';
import { requireCustomer } from '../platform/http/auth.ts';
import { BEARER_AUTH, IdParam, problemResponses } from '../platform/http/schemas.ts';
import { WorkflowNotFound } from '../platform/temporal/workflow-gateway.ts';
import { MAX_PING_MESSAGE } from './domain.ts';
import { getPing } from './queries.ts';
import { acknowledgePing, requestPing } from './use-cases.ts';

const PingRequest = z
  .object({
    message: z.string().min(1).max(MAX_PING_MESSAGE),
    awaitAcknowledgement: z.boolean().optional().openapi({ description: 'also wait for POST …/acknowledgements (tests the signal path)' }),
  })
  .openapi('PingRequest');
const PingStarted = z.object({ pingId: z.string(), workflowId: z.string() }).openapi('PingStarted');
const PingView = z
  .object({ id: z.string(), message: z.string(), requestedBy: z.string(), recordedAt: z.string(), version: z.number().int() })
  .openapi('Ping');

export const registerDiagnosticsRoutes: RegisterRoutes = (app, { config, pools, workflows }) => {
  const auth = requireCustomer(config);

  /**
   * A ping is its sender's only: the recorded row's `requested_by` says who that is.
   * Another customer gets 403 (as for sagas); a ping not recorded yet is 404, for
   * reading and acknowledging alike, so the caller waits for GET 200 before acknowledging.
   */
  const ownPing = async (id: string, caller: string, action: string) => {
    const ping = await getPing(pools.read, id);
    if (!ping) throw new NotFound(`no ping ${id} (a ping appears once its workflow has recorded it)`);
    if (ping.requestedBy !== caller) throw new Forbidden(`you can only ${action} your own pings`);
    return ping;
  };

  app.openapi(
    createRoute({
      method: 'post',
      path: '/diagnostics/pings',
      tags: ['diagnostics'],
      summary: 'Send a synthetic transaction through API, Temporal, an activity and Postgres',
      security: BEARER_AUTH,
      middleware: [auth] as const,
      request: { body: { required: true, content: { 'application/json': { schema: PingRequest } } } },
      responses: {
        202: { description: 'The diagnostic-ping workflow was started', content: { 'application/json': { schema: PingStarted } } },
        ...problemResponses(400, 401),
      },
    }),
    async (c) => {
      const { message, awaitAcknowledgement } = c.req.valid('json');
      const started = await requestPing(workflows, config.TEMPORAL_TASK_QUEUE, {
        message,
        awaitAcknowledgement,
        requestedBy: c.get('customerId'),
      });
      return c.json(started, 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/diagnostics/pings/{id}',
      tags: ['diagnostics'],
      summary: "A recorded ping, its sender's only (404 until its workflow has recorded it)",
      security: BEARER_AUTH,
      middleware: [auth] as const,
      request: { params: IdParam },
      responses: {
        200: { description: 'The ping as stored', content: { 'application/json': { schema: PingView } } },
        ...problemResponses(400, 401, 403, 404),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      return c.json(await ownPing(id, c.get('customerId'), 'see'), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/diagnostics/pings/{id}/acknowledgements',
      tags: ['diagnostics'],
      summary: 'Signal one of your pings that waits for an acknowledgement (404 until it is recorded)',
      security: BEARER_AUTH,
      middleware: [auth] as const,
      request: { params: IdParam },
      responses: {
        202: {
          description: 'The signal was delivered',
          content: { 'application/json': { schema: z.object({ acknowledged: z.boolean() }) } },
        },
        ...problemResponses(400, 401, 403, 404),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await ownPing(id, c.get('customerId'), 'acknowledge');
      try {
        await acknowledgePing(workflows, id, c.get('customerId'));
      } catch (error) {
        if (error instanceof WorkflowNotFound) throw new NotFound(`no running ping ${id}`);
        throw error;
      }
      return c.json({ acknowledged: true }, 202);
    },
  );
};
