import { ActivityCancellationType, ActivityFailure, ApplicationFailure, proxyActivities, type ActivityOptions } from '@temporalio/workflow';

/** A step in our own database: quick, retried through a Postgres restart, then given up (~15 minutes). */
export const DATABASE_STEP: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '30 seconds', maximumAttempts: 35 },
};

/**
 * A database step that works through a batch (refunding a campaign's donations): it
 * heartbeats after each item, so a worker that died mid-batch is noticed in seconds, not
 * at the end of its attempt; each item is idempotent, so the retry repeats nothing.
 */
export const DATABASE_BATCH: ActivityOptions = { ...DATABASE_STEP, heartbeatTimeout: '5 seconds' };

/**
 * A call to the outside world that moves money (charge, void, refund, pay, reserve,
 * settle, release): each attempt short, so a worker that died mid-call is replaced soon;
 * an outage waited out for a day at most (scheduleToCloseTimeout). Cancelled, it is waited
 * for until its attempt has really ended, so a compensation never overtakes its step.
 */
export const MONEY_MOVEMENT: ActivityOptions = {
  startToCloseTimeout: '10 seconds',
  scheduleToCloseTimeout: '1 day',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '1 minute' },
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
};

/** A call to the outside world that moves no money (the carrier): short attempts, an outage waited out for a day. */
export const OUTSIDE_CALL: ActivityOptions = {
  startToCloseTimeout: '10 seconds',
  scheduleToCloseTimeout: '1 day',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '1 minute' },
};

/**
 * The only four ways a saga gets its activities, so every retry policy is bounded (docs/design.md,
 * property 11). Refusals never reach a retry: the worker's activity boundary makes them
 * non-retryable.
 */
export const databaseSteps = <A extends object>() => proxyActivities<A>(DATABASE_STEP); // bounded: maximumAttempts
export const databaseBatches = <A extends object>() => proxyActivities<A>(DATABASE_BATCH); // bounded: maximumAttempts
export const moneyMovements = <A extends object>() => proxyActivities<A>(MONEY_MOVEMENT); // bounded: scheduleToCloseTimeout
export const outsideCalls = <A extends object>() => proxyActivities<A>(OUTSIDE_CALL); // bounded: scheduleToCloseTimeout

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
