import { ActivityCancellationType, ActivityFailure, ApplicationFailure, type ActivityOptions } from '@temporalio/workflow';

/**
 * The two shapes of activity a saga calls, each with a bounded retry policy (DESIGN
 * property 11): refusals never reach a retry (the worker's activity boundary makes them
 * non-retryable), and transient faults are retried only so long.
 */

/** A step in our own database: quick, retried through a Postgres restart, then given up (~15 minutes). */
export const DATABASE_STEP: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '30 seconds', maximumAttempts: 35 },
};

/**
 * A call to the outside world that moves money (charge, void, refund, pay, reserve,
 * settle, release). Each attempt is short, so a worker that died mid-call is replaced
 * soon; an outage is waited out for a day at most. A saga that cancels one waits until
 * the attempt in flight has really ended, so a compensation never overtakes its step.
 */
export const MONEY_MOVEMENT: ActivityOptions = {
  startToCloseTimeout: '10 seconds',
  scheduleToCloseTimeout: '1 day',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '1 minute' },
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
};

/**
 * The refusal behind a failed activity, if it was one: its `type` names the domain error
 * (`Conflict`, `NotFound`, …) or `ProviderRefused`. Undefined for anything else
 * (retries exhausted, cancellation), which the saga must not read as a business answer.
 */
export function refusalOf(error: unknown): { type: string; message: string } | undefined {
  if (!(error instanceof ActivityFailure)) return undefined;
  const cause = error.cause;
  if (!(cause instanceof ApplicationFailure) || !cause.nonRetryable) return undefined;
  return { type: cause.type ?? 'Error', message: cause.message };
}
