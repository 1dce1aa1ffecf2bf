/**
 * The Prometheus series the platform's processes expose, by name as scraped (a counter
 * with its `_total`; a histogram by its base name, scraped as `_bucket`, `_sum` and
 * `_count`), with the jobs of deploy/prometheus/prometheus.yml that expose each.
 * The Grafana dashboard may query only these (test/unit/observability-stack.test.ts),
 * so a renamed metric breaks a test instead of leaving an empty panel; test/api/metrics.test.ts
 * checks every entry, type included, against a live scrape of each job.
 */
export type MetricType = 'counter' | 'gauge' | 'histogram';
export type ScrapeJob = 'api' | 'worker' | 'relay';

export interface MetricDefinition {
  type: MetricType;
  jobs: readonly ScrapeJob[];
  labels: readonly string[];
  /** Defined outside our code: prom-client's default process metrics, Temporal's SDK. */
  source?: 'prom-client-defaults' | 'temporal-sdk';
}

export const PLATFORM_METRICS = {
  http_request_duration_seconds: { type: 'histogram', jobs: ['api'], labels: ['method', 'route', 'status'] },
  webhook_events_total: { type: 'counter', jobs: ['api'], labels: ['sender', 'outcome'] },
  db_pool_connections: { type: 'gauge', jobs: ['api', 'worker', 'relay'], labels: ['pool', 'state'] },

  saga_started_total: { type: 'counter', jobs: ['worker'], labels: ['saga'] },
  saga_completed_total: { type: 'counter', jobs: ['worker'], labels: ['saga'] },
  saga_failed_total: { type: 'counter', jobs: ['worker'], labels: ['saga'] },
  saga_duration_seconds: { type: 'histogram', jobs: ['worker'], labels: ['saga', 'outcome'] },
  saga_step_duration_seconds: { type: 'histogram', jobs: ['worker'], labels: ['saga', 'step', 'outcome'] },

  outbox_backlog_messages: { type: 'gauge', jobs: ['relay'], labels: [] },
  outbox_relay_lag_seconds: { type: 'gauge', jobs: ['relay'], labels: [] },
  outbox_dispatched_total: { type: 'counter', jobs: ['relay'], labels: ['type'] },
  outbox_dispatch_failures_total: { type: 'counter', jobs: ['relay'], labels: ['type'] },
  outbox_batch_duration_seconds: { type: 'histogram', jobs: ['relay'], labels: [] },

  // prom-client's defaults the dashboard uses (the test checks prom-client still makes them).
  process_cpu_seconds_total: { type: 'counter', jobs: ['api'], labels: [], source: 'prom-client-defaults' },
  process_resident_memory_bytes: { type: 'gauge', jobs: ['api'], labels: [], source: 'prom-client-defaults' },
  nodejs_eventloop_lag_p99_seconds: { type: 'gauge', jobs: ['api'], labels: [], source: 'prom-client-defaults' },

  // Temporal's own, on the worker's endpoint (durations in seconds: useSecondsForDurations).
  temporal_workflow_completed: { type: 'counter', jobs: ['worker'], labels: [], source: 'temporal-sdk' },
  temporal_activity_execution_latency: { type: 'histogram', jobs: ['worker'], labels: [], source: 'temporal-sdk' },
} as const satisfies Record<string, MetricDefinition>;

export type PlatformMetric = keyof typeof PLATFORM_METRICS;

/** Series Prometheus makes itself for every target, whatever the target exposes. */
export const PROMETHEUS_SERIES = ['up', 'scrape_duration_seconds', 'scrape_samples_scraped'] as const;
