import { ROOT_CONTEXT, context, propagation } from '@opentelemetry/api';

/**
 * The trace a piece of work runs in, as a W3C `traceparent` to store beside a message,
 * and back: the outbox keeps it, so a handler run by the relay, maybe in another process
 * and later, continues the trace of the request or saga step that recorded the message.
 * With tracing off there is no propagator and no span, so the first gives null and the
 * second runs the work as it is.
 */
export function currentTraceParent(): string | null {
  const carrier: { traceparent?: string } = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent ?? null;
}

/** Runs `work` as a continuation of `traceParent`'s trace, or outside any trace when null. */
export function runInTrace<T>(traceParent: string | null | undefined, work: () => T): T {
  // ROOT_CONTEXT, not the active one: a relay delivering a batch must not lend one
  // message's trace to the next.
  const parent = traceParent ? propagation.extract(ROOT_CONTEXT, { traceparent: traceParent }) : ROOT_CONTEXT;
  return context.with(parent, work);
}
