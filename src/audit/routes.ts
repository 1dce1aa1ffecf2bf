import { createRoute, z } from '@hono/zod-openapi';
import { Forbidden, NotFound } from '../kernel/errors.ts';
import { readAggregateEvents } from '../platform/db/event-store.ts';
import type { Sql } from '../platform/db/pools.ts';
import type { RegisterRoutes } from '../platform/http/app.ts';
import { requireCustomer } from '../platform/http/auth.ts';
import { BEARER_AUTH, IdParam, problemResponses } from '../platform/http/schemas.ts';

/**
 * One kind of aggregate whose history is shown at `GET /<path>/:id/events`: its event
 * store type, and who may look (its parties), or undefined when the id is unknown.
 */
export interface AuditedAggregate {
  path: string;
  aggregateType: string;
  parties(read: Sql, id: string): Promise<string[] | undefined>;
}

const EventView = z
  .object({
    type: z.string(),
    aggregateVersion: z.number().int(),
    createdAt: z.string(),
    actor: z
      .string()
      .optional()
      .openapi({ description: 'who made the change: buyer, seller, carrier, timer or platform (where recorded)' }),
    correlationId: z
      .string()
      .nullable()
      .openapi({
        description:
          'the business transaction the change belongs to: the request it came from (its `x-correlation-id`, sent or made ' +
          'up and echoed) or the saga that made it (its workflow id), kept across every message that follows; ' +
          'null for events recorded before correlation was kept',
      }),
    causationId: z
      .string()
      .nullable()
      .openapi({
        description:
          'what caused it: the id of the event a handler reacted to, `webhook:<source>:<eventId>`, or a saga step ' +
          '(`<workflowId>/<runId>/<activityType>#<activityId>`); null when a request made the change directly, ' +
          'or for events recorded before causation was kept',
      }),
    payload: z.record(z.string(), z.unknown()),
  })
  .openapi('AuditEvent');

/**
 * The audit trail (seed 000's event-store reads): an aggregate's events in version
 * order, from the event store itself, for its parties only.
 */
export function auditTrailRoutes(aggregates: readonly AuditedAggregate[]): RegisterRoutes {
  return (app, { config, pools }) => {
    for (const aggregate of aggregates) {
      app.openapi(
        createRoute({
          method: 'get',
          path: `/${aggregate.path}/{id}/events`,
          tags: ['audit'],
          summary: `The ${aggregate.aggregateType}'s events in version order (parties only)`,
          security: BEARER_AUTH,
          middleware: [requireCustomer(config)] as const,
          request: { params: IdParam },
          responses: {
            200: { description: 'Events, oldest first', content: { 'application/json': { schema: z.array(EventView) } } },
            ...problemResponses(400, 401, 403, 404),
          },
        }),
        async (c) => {
          const { id } = c.req.valid('param');
          const parties = await aggregate.parties(pools.read, id);
          if (!parties) throw new NotFound(`no ${aggregate.aggregateType} ${id}`);
          if (!parties.includes(c.get('customerId'))) throw new Forbidden(`not a party to ${aggregate.aggregateType} ${id}`);
          const events = await readAggregateEvents(pools.read, aggregate.aggregateType, id);
          return c.json(
            events.map((e) => ({
              type: e.type,
              aggregateVersion: e.aggregateVersion,
              createdAt: e.createdAt.toISOString(),
              ...(typeof e.payload.actor === 'string' ? { actor: e.payload.actor } : {}),
              correlationId: e.correlationId,
              causationId: e.causationId,
              payload: e.payload,
            })),
            200,
          );
        },
      );
    }
  };
}
