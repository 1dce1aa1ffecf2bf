import { MessageBus } from '../platform/bus/message-bus.ts';
import { standardMiddleware } from '../platform/bus/middleware.ts';
import type { Pools } from '../platform/db/pools.ts';
import type { Logger } from '../platform/log.ts';

/**
 * The message bus the outbox relay delivers to, with every context's event handlers.
 * Each handler runs in its own transaction and sees a message id once (inbox).
 */
export function createBus(deps: { pools: Pools; logger: Logger }): MessageBus {
  const bus = new MessageBus(standardMiddleware(deps.pools.write, deps.logger));
  // Contexts subscribe their handlers here as they land (notifications, fulfilment, …).
  return bus;
}
