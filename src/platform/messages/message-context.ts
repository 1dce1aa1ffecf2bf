import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Why the code running now runs (seed 002's correlation and causation ids): the request
 * or saga it belongs to, and the message that caused it. Every event and outbox row
 * written inside it is stamped with both, so a chain of handlers can be followed back
 * to its root through the events endpoints and the logs.
 */
export interface MessageContext {
  /** The originating request (`x-correlation-id`) or saga (its workflow id); kept across every hop. */
  readonly correlationId: string;
  /** The message this work answers (an outbox message id, a webhook event, a saga step); none for a request. */
  readonly causationId?: string;
}

// One store per process. AsyncLocalStorage rather than an argument threaded through
// every use case: the ids are infrastructure, and the use cases and domain stay unaware
// of them. node:async_hooks exists on Node and Deno alike, never in workflows/.
const storage = new AsyncLocalStorage<MessageContext>();

/** Runs `work` (and everything it awaits or schedules) inside `context`. */
export function runWithMessageContext<T>(context: MessageContext, work: () => T): T {
  return storage.run(context, work);
}

/** The context of the code running now, or undefined outside any (a script, a test). */
export function currentMessageContext(): MessageContext | undefined {
  return storage.getStore();
}

/**
 * Runs `work` as caused by `causationId` within the current correlation; with none
 * around, the cause starts a correlation of its own, so its effects still group.
 */
export function runCausedBy<T>(causationId: string, work: () => T): T {
  return runWithMessageContext({ correlationId: currentMessageContext()?.correlationId ?? causationId, causationId }, work);
}

/** The ids for a log line (a pino mixin): empty outside any context, so such lines stay as they were. */
export function correlationLogFields(): { correlationId?: string; causationId?: string } {
  const context = currentMessageContext();
  if (!context) return {};
  return context.causationId === undefined
    ? { correlationId: context.correlationId }
    : { correlationId: context.correlationId, causationId: context.causationId };
}
