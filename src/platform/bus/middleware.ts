import type pg from 'pg';
import { recordInInbox } from '../db/inbox.ts';
import { runInUnitOfWork } from '../db/unit-of-work.ts';
import type { Logger } from '../log.ts';
import type { Middleware } from './message-bus.ts';

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

/** The chain every process uses: log, then one transaction, then once-only. */
export function standardMiddleware(pool: pg.Pool, logger: Logger): Middleware[] {
  return [loggingMiddleware(logger), transactionMiddleware(pool), idempotencyMiddleware()];
}
