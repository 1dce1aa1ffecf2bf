import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { Counter, Histogram, type Registry } from 'prom-client';

/** What a webhook receiver did with one delivery; the metrics middleware counts it. */
export type WebhookOutcome = 'processed' | 'duplicate' | 'unauthorized' | 'invalid' | 'conflict' | 'too-large' | 'error';

/** The API's own series. */
export interface ApiMetrics {
  registry: Registry;
  requestDuration: Histogram<'method' | 'route' | 'status'>;
  webhookEvents: Counter<'sender' | 'outcome'>;
}

export function createApiMetrics(registry: Registry): ApiMetrics {
  return {
    registry,
    requestDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP requests by route pattern and status, from the first middleware to the response',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    webhookEvents: new Counter({
      name: 'webhook_events_total',
      help: 'Webhook deliveries by sender and what became of them',
      labelNames: ['sender', 'outcome'] as const,
      registers: [registry],
    }),
  };
}

const WEBHOOK_ROUTE = /^\/webhooks\/([a-z-]+)$/;

/**
 * Times every request and labels it with the route's pattern (`/auctions/:id`), never
 * the raw path, so ids do not multiply the series. A path no route matched is
 * `unmatched`. Webhook deliveries are also counted by sender and outcome: the receiver
 * names the outcome it reached (`webhookOutcome`), and a refusal before it (a bad
 * signature or body, too large) is told by the status.
 */
export function httpMetrics(metrics: ApiMetrics): MiddlewareHandler<{ Variables: { webhookOutcome?: WebhookOutcome } }> {
  return async (c, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      const status = c.res.status;
      const pattern = routePath(c, -1);
      const route = pattern === '*' || pattern === '/*' || pattern === '' ? 'unmatched' : pattern;
      metrics.requestDuration.observe({ method: c.req.method, route, status: String(status) }, (performance.now() - started) / 1000);
      const sender = WEBHOOK_ROUTE.exec(route)?.[1];
      if (sender && c.req.method === 'POST') {
        metrics.webhookEvents.inc({ sender, outcome: c.get('webhookOutcome') ?? outcomeOfStatus(status) });
      }
    }
  };
}

function outcomeOfStatus(status: number): WebhookOutcome {
  if (status === 401) return 'unauthorized';
  if (status === 413) return 'too-large';
  if (status === 503) return 'conflict';
  if (status >= 400 && status < 500) return 'invalid';
  return status >= 500 ? 'error' : 'processed';
}
