import { createRoute, z } from '@hono/zod-openapi';
import type { RegisterRoutes } from '../platform/http/app.ts';

const Status = z.enum(['ok', 'unavailable']);
const HealthSchema = z.object({ status: Status, postgres: Status, temporal: Status }).openapi('Health');

const health = createRoute({
  method: 'get',
  path: '/health',
  tags: ['platform'],
  summary: 'Liveness of the API and the two things it stands on: Postgres and Temporal',
  responses: {
    200: { description: 'Everything answers', content: { 'application/json': { schema: HealthSchema } } },
    503: { description: 'A dependency is down; the body says which', content: { 'application/json': { schema: HealthSchema } } },
  },
});

/** Each probe gets this long; a hung dependency must not hang the health check. */
const PROBE_TIMEOUT_MS = 3000;

export const registerHealthRoutes: RegisterRoutes = (app, { pools, workflows }) => {
  app.openapi(health, async (c) => {
    const [postgres, temporal] = await Promise.all([probe(() => pools.read.query('SELECT 1')), probe(() => workflows.checkHealth())]);
    const ok = postgres === 'ok' && temporal === 'ok';
    const body = { status: ok ? ('ok' as const) : ('unavailable' as const), postgres, temporal };
    return ok ? c.json(body, 200) : c.json(body, 503);
  });
};

async function probe(check: () => Promise<unknown>): Promise<'ok' | 'unavailable'> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), PROBE_TIMEOUT_MS);
  });
  try {
    await Promise.race([check(), timeout]);
    return 'ok';
  } catch {
    return 'unavailable';
  } finally {
    clearTimeout(timer);
  }
}
