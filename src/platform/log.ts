import { isSpanContextValid, trace } from '@opentelemetry/api';
import { pino, type DestinationStream, type Logger } from 'pino';
import { correlationLogFields } from './messages/message-context.ts';

export type { Logger };

/**
 * One structured logger per process; `LOG_LEVEL` (default info) decides how chatty.
 * Every line carries what ties it to the rest: the trace and span it was written in
 * (when tracing is on) and the correlation and causation ids of the request, saga or
 * message being handled, so a line found in the logs leads to its trace and its events.
 */
export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info', destination?: DestinationStream): Logger {
  const options = { name, level, mixin: traceLogFields };
  return destination ? pino(options, destination) : pino(options);
}

/** The ids of the moment, for a log line; nothing outside any request, saga or span. */
export function traceLogFields(): Record<string, string> {
  const fields: Record<string, string> = { ...correlationLogFields() };
  const span = trace.getActiveSpan()?.spanContext();
  if (span && isSpanContextValid(span)) {
    fields.traceId = span.traceId;
    fields.spanId = span.spanId;
  }
  return fields;
}

/** For tests and callers that want silence. */
export const silentLogger: Logger = pino({ level: 'silent' });
