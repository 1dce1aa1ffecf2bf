import type { ActivityInterceptorsFactory, InjectedSinks } from '@temporalio/worker';
import { Counter, Histogram, Registry } from 'prom-client';
import type { SagaMetricsSinks } from '../../../workflows/saga-metrics.sinks.ts';

/** The worker's saga series, labelled by saga (the workflow type) and step (the activity). */
export interface SagaMetrics {
  started: Counter<'saga'>;
  completed: Counter<'saga'>;
  failed: Counter<'saga'>;
  duration: Histogram<'saga' | 'outcome'>;
  stepDuration: Histogram<'saga' | 'step' | 'outcome'>;
}

/** Sagas wait for people and carriers: their durations run from seconds to weeks. */
const SAGA_BUCKETS = [1, 10, 60, 600, 3600, 6 * 3600, 86_400, 3 * 86_400, 7 * 86_400, 30 * 86_400, 90 * 86_400];
const STEP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export function createSagaMetrics(registry: Registry): SagaMetrics {
  const counter = (name: string, help: string) => new Counter({ name, help, labelNames: ['saga'] as const, registers: [registry] });
  return {
    started: counter('saga_started_total', 'Sagas started, by saga'),
    completed: counter('saga_completed_total', 'Sagas that ran to an end of their own (any business outcome), by saga'),
    failed: counter('saga_failed_total', 'Sagas that ended in a failure (an error, a cancellation, a timeout), by saga'),
    duration: new Histogram({
      name: 'saga_duration_seconds',
      help: 'Time from a saga start to its end, by saga and outcome (completed or failed)',
      labelNames: ['saga', 'outcome'] as const,
      buckets: SAGA_BUCKETS,
      registers: [registry],
    }),
    stepDuration: new Histogram({
      name: 'saga_step_duration_seconds',
      help: 'One attempt of a saga step (an activity), by saga, step and outcome (ok or error)',
      labelNames: ['saga', 'step', 'outcome'] as const,
      buckets: STEP_BUCKETS,
      registers: [registry],
    }),
  };
}

/** The worker's side of the sagas' metric sinks (workflows/saga-metrics.sinks.ts). */
export function sagaMetricsSinks(metrics: SagaMetrics): InjectedSinks<SagaMetricsSinks> {
  const ended = (outcome: 'completed' | 'failed') => (info: { workflowType: string; startTime: Date }) => {
    (outcome === 'completed' ? metrics.completed : metrics.failed).inc({ saga: info.workflowType });
    metrics.duration.observe({ saga: info.workflowType, outcome }, (Date.now() - info.startTime.getTime()) / 1000);
  };
  return {
    sagaMetrics: {
      started: { fn: (info) => metrics.started.inc({ saga: info.workflowType }), callDuringReplay: false },
      completed: { fn: ended('completed'), callDuringReplay: false },
      failed: { fn: ended('failed'), callDuringReplay: false },
    },
  };
}

/**
 * The sinks for a worker whose saga metrics nobody scrapes (the fuzz's workflow-only
 * worker, the sagas' test worker): the bundle's interceptor calls them on every saga, and
 * a worker without them logs an "unregistered external sink" error each time.
 */
export function unscrapedSagaMetricsSinks(): InjectedSinks<SagaMetricsSinks> {
  return sagaMetricsSinks(createSagaMetrics(new Registry()));
}

/** Times every attempt of every activity, labelled with the saga that scheduled it. */
export function stepMetricsInterceptor(metrics: SagaMetrics): ActivityInterceptorsFactory {
  return (ctx) => ({
    inbound: {
      async execute(input, next) {
        const labels = { saga: ctx.info.workflowType ?? 'none', step: ctx.info.activityType };
        const started = performance.now();
        let outcome = 'error';
        try {
          const result = await next(input);
          outcome = 'ok';
          return result;
        } finally {
          metrics.stepDuration.observe({ ...labels, outcome }, (performance.now() - started) / 1000);
        }
      },
    },
  });
}
