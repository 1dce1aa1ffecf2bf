import { ApplicationFailure } from '@temporalio/activity';
import { ZodError } from 'zod';
import { ConcurrencyConflict, DomainError } from '../src/kernel/errors.ts';
import { HttpCallError } from '../src/platform/http/json-client.ts';
import { runWithMessageContext } from '../src/platform/messages/message-context.ts';
import { REFUSAL } from '../workflows/refusals.ts';
import { activityMessageContext } from './activity-message-context.ts';

/**
 * Turns what an activity throws into what Temporal should do with it:
 * - a domain error (a business rule, a conflict with the state, an unknown id) becomes a
 *   non-retryable `ApplicationFailure` whose `type` is the error's name (`Conflict`,
 *   `BusinessRuleViolation`, `NotFound`, …);
 * - a zod error becomes a non-retryable `InvalidInput`;
 * - a 4xx from a provider (except 408 and 429) becomes a non-retryable `ProviderRefused`
 *   carrying the status;
 * - a version conflict that outlived the use case's own retries, a 5xx, a timeout or a
 *   network error is rethrown as it is: transient, retried.
 */
export function toActivityFailure(error: unknown): unknown {
  if (error instanceof ApplicationFailure) return error;
  if (error instanceof ConcurrencyConflict) return error;
  if (error instanceof DomainError) return ApplicationFailure.nonRetryable(error.message, error.name);
  if (error instanceof ZodError) return ApplicationFailure.nonRetryable(`invalid activity input: ${error.message}`, REFUSAL.invalidInput);
  if (error instanceof HttpCallError && !error.retryable) {
    return ApplicationFailure.nonRetryable(error.message, REFUSAL.providerRefused, { status: error.status });
  }
  return error;
}

type AnyActivity = (...args: any[]) => Promise<unknown>;

/**
 * Wraps every activity of the worker in `toActivityFailure`: one place decides what is
 * retried, so no activity can retry a refusal forever. The same place runs each one in
 * its saga's message context, so what a step records names the saga and the step.
 */
export function withActivityBoundary<T extends Record<string, AnyActivity>>(activities: T): T {
  const wrapped: Record<string, AnyActivity> = {};
  for (const [name, activity] of Object.entries(activities)) {
    wrapped[name] = async (...args: unknown[]) => {
      const context = activityMessageContext();
      try {
        return await (context ? runWithMessageContext(context, () => activity(...args)) : activity(...args));
      } catch (error) {
        throw toActivityFailure(error);
      }
    };
  }
  return wrapped as T;
}
