import type { MiddlewareHandler } from 'hono';
import { runWithMessageContext } from '../messages/message-context.ts';

export const CORRELATION_HEADER = 'x-correlation-id';
/** What proxies and load balancers commonly send when the caller sent no correlation id. */
const REQUEST_ID_HEADER = 'x-request-id';

/**
 * An id we take from outside only if it is short and plain: it is stored with every
 * event, logged and echoed, so nothing that could forge a log line, smuggle a header or
 * bloat a row gets in.
 */
const SANE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function isSaneCorrelationId(value: string | undefined): value is string {
  return value !== undefined && SANE_ID.test(value);
}

/**
 * The request's correlation id: the caller's `x-correlation-id` (or `x-request-id`) when
 * sane, otherwise a new one. The rest of the request runs inside it (no causation: a
 * request is a root), and the answer carries it back in `x-correlation-id`, errors
 * included, so a caller can quote it. Goes first, ahead of every other middleware.
 */
export function correlationMiddleware(): MiddlewareHandler {
  return async (c, next) => {
    const given = [c.req.header(CORRELATION_HEADER), c.req.header(REQUEST_ID_HEADER)].find(isSaneCorrelationId);
    const correlationId = given ?? crypto.randomUUID();
    await runWithMessageContext({ correlationId }, () => next());
    // Set on the finished response: a handler may return a Response of its own
    // (problem+json), which keeps none of the headers set on the context before.
    try {
      c.res.headers.set(CORRELATION_HEADER, correlationId);
    } catch {
      // A response with immutable headers (one passed through from fetch): copied once.
      c.res = new Response(c.res.body, c.res);
      c.res.headers.set(CORRELATION_HEADER, correlationId);
    }
  };
}
