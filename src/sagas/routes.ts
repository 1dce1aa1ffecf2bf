import { createRoute, z } from '@hono/zod-openapi';
import { Forbidden, NotFound } from '../kernel/errors.ts';
import type { RegisterRoutes } from '../platform/http/app.ts';
import { requireCustomer } from '../platform/http/auth.ts';
import { BEARER_AUTH, problemResponses } from '../platform/http/schemas.ts';
import { SAGA_STATE_QUERY, type SagaState } from '../platform/temporal/saga-state.ts';

const SagaView = z
  .looseObject({
    workflowId: z.string(),
    type: z.string(),
    status: z.enum(['running', 'completed', 'failed', 'cancelled', 'terminated', 'timed_out', 'continued_as_new', 'unknown']),
    step: z.string(),
    history: z.array(z.object({ step: z.string(), at: z.string() })),
    startTime: z.string().optional(),
    closeTime: z.string().optional(),
  })
  .openapi('Saga', {
    description:
      "Temporal status (lower case) plus the saga's own step, history and its business ids (auctionId, paymentId, …) as further fields",
  });

/**
 * `GET /sagas/:workflowId`: Temporal's status from describe, the saga's own step,
 * history and ids from its `sagaState` query. Only its parties may look (403 otherwise).
 */
export const registerSagaRoutes: RegisterRoutes = (app, { config, workflows }) => {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/sagas/{workflowId}',
      tags: ['sagas'],
      summary: "A saga's live state",
      security: BEARER_AUTH,
      middleware: [requireCustomer(config.AUTH_SECRET)] as const,
      request: {
        params: z.object({
          workflowId: z
            .string()
            .min(1)
            .max(200)
            .openapi({ param: { name: 'workflowId', in: 'path' } }),
        }),
      },
      responses: {
        200: { description: 'The saga', content: { 'application/json': { schema: SagaView } } },
        ...problemResponses(401, 403, 404),
      },
    }),
    async (c) => {
      const { workflowId } = c.req.valid('param');
      const description = await workflows.describe(workflowId);
      if (!description) throw new NotFound(`no saga ${workflowId}`);
      // A closed workflow still answers queries (the worker replays it).
      const state = await workflows.query<SagaState>(workflowId, SAGA_STATE_QUERY);
      if (!state.parties.includes(c.get('customerId'))) throw new Forbidden(`saga ${workflowId} is not yours`);
      const body = SagaView.parse({
        ...state.ids,
        workflowId,
        type: description.type,
        status: description.status,
        step: state.step,
        history: state.history,
        startTime: description.startTime,
        closeTime: description.closeTime,
      });
      return c.json(body, 200);
    },
  );
};
