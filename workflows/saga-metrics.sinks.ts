import type { Sinks } from '@temporalio/workflow';

/**
 * What a saga tells the worker's metrics about itself. Sinks are the sandbox's one-way
 * door to the worker: the calls carry no data back, make no commands (so histories and
 * replay are untouched) and are skipped while a history is replayed, so a saga that a
 * restarted worker replays is not counted twice.
 */
export interface SagaMetricsSinks extends Sinks {
  sagaMetrics: {
    /** The saga's first run began (a continued-as-new run is the same saga). */
    started(): void;
    completed(): void;
    failed(): void;
  };
}
