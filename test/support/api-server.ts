import { serve } from '@hono/node-server';
import { systemClock, type Clock } from '../../src/kernel/clock.ts';
import { loadConfig, type Config } from '../../src/platform/config/config.ts';
import type { Pools } from '../../src/platform/db/pools.ts';
import { createApp, type RegisterRoutes } from '../../src/platform/http/app.ts';
import { issueToken } from '../../src/platform/http/auth.ts';
import { silentLogger } from '../../src/platform/log.ts';
import type { ApiMetrics } from '../../src/platform/observability/http-metrics.ts';
import type { WorkflowGateway } from '../../src/platform/temporal/workflow-gateway.ts';
import { ROUTES } from '../../src/main/routes.ts';

export interface TestApi {
  url: string;
  config: Config;
  token(customerId: string): Promise<string>;
  /** fetch against the API with JSON in and out; `as` signs the request for a customer. */
  call(
    method: string,
    path: string,
    options?: { body?: unknown; as?: string; headers?: Record<string, string> },
  ): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

/** The real app on a real HTTP server (a free port), over the given pools and gateway. */
export async function startTestApi(deps: {
  pools: Pools;
  workflows: WorkflowGateway;
  env?: Record<string, string>;
  extraRoutes?: RegisterRoutes[];
  clock?: Clock;
  metrics?: ApiMetrics;
}): Promise<TestApi> {
  const config = loadConfig({ TEMPORAL_TASK_QUEUE: 'unused', TEST_DEPOSITS: 'on', ...deps.env });
  const app = createApp(
    { config, pools: deps.pools, workflows: deps.workflows, clock: deps.clock ?? systemClock, logger: silentLogger, metrics: deps.metrics },
    [...ROUTES, ...(deps.extraRoutes ?? [])],
  );
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((resolve) => server.once('listening', resolve));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const token = (customerId: string) => issueToken(config.AUTH_SECRET, customerId);
  return {
    url,
    config,
    token,
    async call(method, path, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      if (options.body !== undefined) headers['content-type'] ??= 'application/json';
      if (options.as) headers.authorization = `Bearer ${await token(options.as)}`;
      const response = await fetch(`${url}${path}`, {
        method,
        headers,
        body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
      });
      const text = await response.text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: keep the text
      }
      return { status: response.status, body, headers: response.headers };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
