import { OpenAPIHono } from '@hono/zod-openapi';
import type { Hook } from '@hono/zod-openapi';
import type { Clock } from '../../kernel/clock.ts';
import type { Config } from '../config/config.ts';
import type { Pools } from '../db/pools.ts';
import type { Logger } from '../log.ts';
import { createApiMetrics, httpMetrics, type ApiMetrics } from '../observability/http-metrics.ts';
import { createMetricsRegistry, renderMetrics } from '../observability/metrics-registry.ts';
import { registerPoolMetrics } from '../observability/pool-metrics.ts';
import type { WorkflowGateway } from '../temporal/workflow-gateway.ts';
import type { AppEnv } from './app-env.ts';
import { registerApiDocs } from './api-docs.ts';
import { correlationMiddleware } from './correlation.ts';
import { problem, problemFromError, problemResponse } from './problem.ts';
import { limitRequestBodies, parameterControlCharacterErrors, refuseControlCharacters } from './request-hardening.ts';
import { fieldErrors } from './validation.ts';

/** Everything a route may need, built by the entry point (Node or Deno). */
export interface AppDeps {
  config: Config;
  pools: Pools;
  workflows: WorkflowGateway;
  clock: Clock;
  logger: Logger;
  /** The process's metrics; tests leave it out and get a registry of the app's own. */
  metrics?: ApiMetrics;
}

export type App = OpenAPIHono<AppEnv>;

/** A context's routes: a function that adds them to the app. */
export type RegisterRoutes = (app: App, deps: AppDeps) => void;

/**
 * Invalid bodies, params and queries become a 400 problem naming each field. Path and
 * query parameters are also refused when they hold control characters (bodies were
 * checked before the route, see request-hardening.ts), whatever their schema says.
 */
const validationHook: Hook<unknown, AppEnv, string, unknown> = (result, c) => {
  const hygiene =
    result.target === 'param'
      ? parameterControlCharacterErrors(c.req.param() as Record<string, string>)
      : result.target === 'query'
        ? parameterControlCharacterErrors(c.req.queries())
        : [];
  if (!result.success || hygiene.length > 0) {
    const errors = [...(result.success ? [] : fieldErrors(result.error)), ...hygiene];
    const detail = result.target === 'json' ? 'the request body is invalid' : `the request ${result.target} is invalid`;
    return problemResponse(problem(400, 'Invalid request', detail, errors));
  }
  return undefined;
};

/**
 * The HTTP app, from Web standards only (fetch Request/Response, WebCrypto), so the
 * same app serves on Node and Deno. Every error leaves as problem+json; the OpenAPI
 * document is generated from the very zod schemas that validate requests.
 */
export function createApp(deps: AppDeps, contexts: readonly RegisterRoutes[]): App {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const metrics = deps.metrics ?? createApiMetrics(createMetricsRegistry({ processMetrics: false }));
  registerPoolMetrics(metrics.registry, deps.pools);

  app.onError((error, c) => {
    const p = problemFromError(error);
    if (p.status >= 500) deps.logger.error({ err: error, method: c.req.method, path: c.req.path }, 'request failed');
    return problemResponse(p);
  });
  app.notFound((c) => problemResponse(problem(404, 'Not found', `no route for ${c.req.method} ${c.req.path}`)));

  // First, so that every answer carries its correlation id and is timed and counted, refusals included.
  app.use('*', correlationMiddleware());
  app.use('*', httpMetrics(metrics));
  // Before every route: size limits (413), then control characters in JSON bodies (400).
  // Both run ahead of auth and Idempotency-Key, so a refused request claims and stores nothing.
  app.use('*', limitRequestBodies(), refuseControlCharacters());

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      'A JWT with `exp`; `sub` is the customer id. Ours are HS256, signed with AUTH_SECRET (`POST /sessions`, or `npm run token -- <customerId>`); with AUTH_JWKS_URL set, RS256/ES256 tokens of that identity provider too (issuer and audience checked).',
  });

  for (const register of contexts) register(app, deps);

  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Marketplace transaction platform',
      version: '0.1.0',
      description:
        'Auctions, payments, fulfilment and bitcoin withdrawals as Temporal sagas. Errors are application/problem+json (RFC 9457).',
    },
  });
  // Prometheus scrapes this without a token (API.md): restrict it at the network.
  app.get('/metrics', async () => {
    const { body, contentType } = await renderMetrics(metrics.registry);
    return new Response(body, { headers: { 'content-type': contentType } });
  });
  registerApiDocs(app, { specUrl: '/openapi.json', title: 'Marketplace platform API' });
  return app;
}
