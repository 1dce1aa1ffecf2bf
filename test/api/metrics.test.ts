import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signWebhook } from '../../src/platform/http/webhook-signature.ts';
import { createApiMetrics } from '../../src/platform/observability/http-metrics.ts';
import { createMetricsRegistry } from '../../src/platform/observability/metrics-registry.ts';
import { startMetricsServer, type MetricsServer } from '../../src/platform/observability/metrics-server.ts';
import { registerPoolMetrics } from '../../src/platform/observability/pool-metrics.ts';
import { startWorkerMetrics } from '../../worker.ts';
import { eventually, startPlatform, type TestPlatform } from '../support/platform.ts';
import { declaredMetrics, sample } from '../support/prometheus-text.ts';
import { PLATFORM_METRICS, type ScrapeJob } from '../support/platform-metrics.ts';
import { installTestRuntime } from '../support/test-env.ts';
import { wonAuctionHelpers } from '../support/won-auctions.ts';

/**
 * The three processes' `GET /metrics`, scraped over HTTP as Prometheus would, after a
 * real sale: request durations by route pattern, webhook outcomes, saga and step
 * series, the Temporal SDK's own worker metrics, the outbox's, and the pools'.
 */
let platform: TestPlatform;
let workerMetrics: Awaited<ReturnType<typeof startWorkerMetrics>>;
let relayMetrics: MetricsServer;
const { wonAuction, charge, payment } = wonAuctionHelpers(() => platform);

const scrape = async (url: string) => {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  return response.text();
};

beforeAll(async () => {
  const outboxRegistry = createMetricsRegistry({ processMetrics: false });
  // Port 0: any free port, as the tests run side by side.
  workerMetrics = await installTestRuntime(() => startWorkerMetrics({ port: 0, handleSignals: false }));
  relayMetrics = await startMetricsServer({ port: 0, registry: outboxRegistry });
  platform = await startPlatform({
    observability: {
      api: createApiMetrics(createMetricsRegistry({ processMetrics: true })),
      outboxRegistry,
      metrics: workerMetrics.metrics,
    },
  });
  // As the entry points do: each process's endpoint shows its pools (here one database's, shared).
  registerPoolMetrics(workerMetrics.registry, platform.db.pools);
  registerPoolMetrics(outboxRegistry, platform.db.pools);
});

afterAll(async () => {
  await platform?.stop();
  await workerMetrics?.server.close();
  await relayMetrics?.close();
});

describe('metrics', () => {
  it('count a sale through the API, the worker and the relay', async () => {
    const sale = await wonAuction({ fulfilment: 'service' });
    expect((await charge(sale.paymentId, sale.winner, 'tok_visa')).status).toBe(202);
    await eventually(
      () => payment(sale.paymentId, sale.winner),
      (p) => p.status === 'captured',
    );

    const api = await scrape(`${platform.api.url}/metrics`);
    // Route patterns, never raw paths: one series for every auction's bids.
    expect(sample(api, 'http_request_duration_seconds_count', { method: 'POST', route: '/auctions/:id/bids', status: '201' })).toBe(1);
    expect(api).not.toContain(sale.auctionId);
    expect(sample(api, 'webhook_events_total', { sender: 'payments', outcome: 'processed' })).toBeGreaterThanOrEqual(1);
    expect(sample(api, 'db_pool_connections', { pool: 'write', state: 'total' })).toBeGreaterThanOrEqual(1);
    expect(declaredMetrics(api)).toContain('process_resident_memory_bytes');

    const worker = await eventually(
      () => scrape(workerMetrics.server.url),
      (text) => (sample(text, 'saga_completed_total', { saga: 'auctionClosing' }) ?? 0) >= 1,
    );
    expect(sample(worker, 'saga_started_total', { saga: 'payingForWonItem' })).toBeGreaterThanOrEqual(1);
    expect(sample(worker, 'saga_duration_seconds_count', { saga: 'auctionClosing', outcome: 'completed' })).toBeGreaterThanOrEqual(1);
    expect(
      sample(worker, 'saga_step_duration_seconds_count', { saga: 'payingForWonItem', step: 'startPayment', outcome: 'ok' }),
    ).toBeGreaterThanOrEqual(1);
    // The Temporal SDK's own worker metrics, read from its core and served alongside.
    expect([...declaredMetrics(worker)].some((name) => name.startsWith('temporal_'))).toBe(true);

    const relay = await eventually(
      () => scrape(relayMetrics.url),
      (text) => sample(text, 'outbox_backlog_messages') === 0,
    );
    expect(sample(relay, 'outbox_dispatched_total')).toBeGreaterThanOrEqual(1);
    expect(sample(relay, 'outbox_relay_lag_seconds')).toBe(0);
    expect(sample(relay, 'outbox_batch_duration_seconds_count')).toBeGreaterThanOrEqual(1);

    // The list the dashboard and the Prometheus config are checked against
    // (test/unit/observability-stack.test.ts) is what the live endpoints serve, type included.
    const scraped: Record<ScrapeJob, string> = { api, worker, relay };
    for (const [name, definition] of Object.entries(PLATFORM_METRICS)) {
      for (const job of definition.jobs) {
        const base = definition.type === 'counter' ? name.replace(/_total$/, '') : name;
        const declared = new RegExp(`^# TYPE (${base}|${name}) ${definition.type}$`, 'm');
        expect(declared.test(scraped[job]), `${name} as a ${definition.type} on the ${job} endpoint`).toBe(true);
      }
    }
  });

  it('count refused webhooks by outcome, and unmatched paths under one label', async () => {
    const body = JSON.stringify({ id: 'evt-metrics', type: 'charge.captured', data: {} });
    const unsigned = await fetch(`${platform.api.url}/webhooks/carrier`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
    });
    expect(unsigned.status).toBe(401);
    const signature = await signWebhook(platform.config.CARRIER_WEBHOOK_SECRET, '{"nope":1}', Math.floor(Date.now() / 1000));
    const invalid = await fetch(`${platform.api.url}/webhooks/carrier`, {
      method: 'POST',
      body: '{"nope":1}',
      headers: { 'content-type': 'application/json', 'webhook-signature': signature },
    });
    expect(invalid.status).toBe(400);
    expect((await platform.api.call('GET', `/no/such/${crypto.randomUUID()}`)).status).toBe(404);

    const api = await scrape(`${platform.api.url}/metrics`);
    expect(sample(api, 'webhook_events_total', { sender: 'carrier', outcome: 'unauthorized' })).toBe(1);
    expect(sample(api, 'webhook_events_total', { sender: 'carrier', outcome: 'invalid' })).toBe(1);
    expect(sample(api, 'http_request_duration_seconds_count', { route: 'unmatched', status: '404' })).toBeGreaterThanOrEqual(1);
  });
});
