import { createRoute, z } from '@hono/zod-openapi';
import { HTTPException } from 'hono/http-exception';
import { Forbidden, NotFound } from '../kernel/errors.ts';
import type { RegisterRoutes } from '../platform/http/app.ts';
import { requireCustomer } from '../platform/http/auth.ts';
import { BEARER_AUTH, problemResponses } from '../platform/http/schemas.ts';
import { sagaStateQuery } from '../../workflows/saga-contract.ts';

const SagaView = z
  .looseObject({
    workflowId: z.string(),
    type: z.string(),
    status: z.enum(['running', 'completed', 'failed', 'cancelled', 'terminated', 'timed_out', 'continued_as_new', 'unknown']),
    step: z.string(),
    history: z.array(z.object({ step: z.string(), at: z.string() })),
    startTime: z.string().optional(),
    closeTime: z.string().optional(),
    source: z.enum(['query', 'search-attributes']).openapi({
      description:
        "Where step and history come from: the saga's live query, or, while no worker answers it, the search attributes Temporal keeps (the current step, no history)",
    }),
  })
  .openapi('Saga', {
    description:
      "Temporal status (lower case) plus the saga's own step, history and its business ids (auctionId, paymentId, …) as further fields",
  });

/**
 * How long a saga has to answer its state query. A query waits for a worker to take it:
 * with none polling it hung about 30 s, then failed as a 500. A worker answers in
 * milliseconds; past this bound the answer comes from Temporal's own record instead.
 */
const SAGA_QUERY_TIMEOUT_MS = 3_000;

/**
 * `GET /sagas/:workflowId`: Temporal's status from describe, the saga's own step,
 * history and ids from its `sagaState` query. Only its parties may look (403 otherwise):
 * they are the saga's `CustomerId` search attribute, kept by its journal, so the check
 * and a short answer (status and step) need no worker; the query adds history and ids.
 */
export const registerSagaRoutes: RegisterRoutes = (app, { config, workflows }) => {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/sagas/{workflowId}',
      tags: ['sagas'],
      summary: "A saga's live state",
      security: BEARER_AUTH,
      middleware: [requireCustomer(config)] as const,
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
        ...problemResponses(401, 403, 404, 503),
      },
    }),
    async (c) => {
      const { workflowId } = c.req.valid('param');
      const description = await workflows.describe(workflowId);
      if (!description) throw new NotFound(`no saga ${workflowId}`);
      const customer = c.get('customerId');
      const recordedParties = description.searchAttributes.CustomerId ?? [];
      if (recordedParties.length > 0 && !recordedParties.includes(customer)) throw new Forbidden(`saga ${workflowId} is not yours`);
      // A closed workflow still answers queries (the worker replays it).
      const state = await workflows.query(workflowId, sagaStateQuery, { timeoutMs: SAGA_QUERY_TIMEOUT_MS }).catch(() => undefined);
      if (state && !state.parties.includes(customer)) throw new Forbidden(`saga ${workflowId} is not yours`);
      if (!state && recordedParties.length === 0) {
        throw new HTTPException(503, { message: `saga ${workflowId} did not answer (is its worker running?); try again` });
      }
      const timing = { startTime: description.startTime, closeTime: description.closeTime };
      const body = state
        ? SagaView.parse({
            ...state.ids,
            workflowId,
            type: description.type,
            status: description.status,
            step: state.step,
            history: state.history,
            ...timing,
            source: 'query',
          })
        : SagaView.parse({
            workflowId,
            type: description.type,
            status: description.status,
            step: description.searchAttributes.SagaStep?.[0] ?? 'unknown',
            history: [],
            ...timing,
            source: 'search-attributes',
          });
      return c.json(body, 200);
    },
  );
};
