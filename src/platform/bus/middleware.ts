import type pg from 'pg';
import { recordInInbox } from '../db/inbox.ts';
import { runInUnitOfWork } from '../db/unit-of-work.ts';
import type { Logger } from '../log.ts';
import { currentMessageContext, runWithMessageContext } from '../messages/message-context.ts';
import type { Middleware } from './message-bus.ts';

/**
 * Seed 002's correlation and causation: a handler's work belongs to the same
 * correlation as the message it handles and is caused by that message. Everything the
 * handler records, and every line logged meanwhile, carries both. A message without a
 * correlation stays in the one it is dispatched within (a handler's nested dispatch),
 * or else starts its own under its id (a row from before correlation was kept). A
 * nested dispatch gets its own context, so what it records names the inner message.
 */
export function messageContextMiddleware(): Middleware {
  return (message, context, next) => {
    const correlationId = message.correlationId ?? currentMessageContext()?.correlationId ?? message.id;
    return runWithMessageContext({ correlationId, causationId: message.id }, () => next(context));
  };
}

/**
 * Seed 002's transaction middleware: the outermost dispatch opens one unit of work
 * (one transaction); a dispatch nested inside a handler runs under a savepoint of that
 * same transaction, so a failing inner handler can be caught and undone alone, while
 * an outer failure rolls back everything, inner work included.
 */
export function transactionMiddleware(pool: pg.Pool): Middleware {
  return async (message, context, next) => {
    const { uow } = context;
    if (uow) return uow.savepoint(() => next(context));
    return runInUnitOfWork(pool, (opened) => next({ ...context, uow: opened }));
  };
}

/**
 * Handles each message id once per handler: the inbox row is written in the handler's
 * transaction, so a redelivered message (the outbox is at-least-once) is skipped.
 * Must come after the transaction middleware.
 */
export function idempotencyMiddleware(): Middleware {
  return async (message, context, next) => {
    if (!context.uow) throw new Error('idempotency middleware must run inside the transaction middleware');
    const first = await recordInInbox(context.uow.sql, context.handlerName, message.id);
    if (first) await next(context);
  };
}

/** One line per handled message, with its duration and outcome. */
export function loggingMiddleware(logger: Logger): Middleware {
  return async (message, context, next) => {
    const started = performance.now();
    const fields = { messageId: message.id, type: message.type, handler: context.handlerName, nested: Boolean(context.parent) };
    try {
      await next(context);
      logger.debug({ ...fields, ms: Math.round(performance.now() - started) }, 'message handled');
    } catch (error) {
      logger.warn({ ...fields, err: error, ms: Math.round(performance.now() - started) }, 'message handler failed');
      throw error;
    }
  };
}

/**
 * The chain every process uses: the message's context (outermost, so the log line and
 * a nested dispatch's savepoint see it), log, then one transaction, then once-only.
 */
export function standardMiddleware(pool: pg.Pool, logger: Logger): Middleware[] {
  return [messageContextMiddleware(), loggingMiddleware(logger), transactionMiddleware(pool), idempotencyMiddleware()];
}
