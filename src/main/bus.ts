import { subscribeAuctionHandlers } from '../auctions/handlers.ts';
import { subscribeBitcoinHandlers } from '../bitcoin/handlers.ts';
import { subscribeCrowdfundingHandlers } from '../crowdfunding/handlers.ts';
import { recordingEmailSender } from '../notifications/email.ts';
import { subscribeNotificationHandlers } from '../notifications/handlers.ts';
import { subscribePaymentHandlers } from '../payments/handlers.ts';
import { MessageBus } from '../platform/bus/message-bus.ts';
import { standardMiddleware } from '../platform/bus/middleware.ts';
import type { Config } from '../platform/config/config.ts';
import type { Pools } from '../platform/db/pools.ts';
import type { Logger } from '../platform/log.ts';
import type { WorkflowGateway } from '../platform/temporal/workflow-gateway.ts';

/**
 * The message bus the outbox relay delivers to, with every context's event handlers.
 * Each handler runs in its own transaction and sees a message id once (inbox).
 */
export function createBus(deps: { pools: Pools; logger: Logger; workflows: WorkflowGateway; config: Config }): MessageBus {
  const bus = new MessageBus(standardMiddleware(deps.pools.write, deps.logger));
  subscribeAuctionHandlers(bus, deps.workflows, deps.config.TEMPORAL_TASK_QUEUE);
  subscribeBitcoinHandlers(bus, deps.workflows, deps.config.TEMPORAL_TASK_QUEUE);
  subscribePaymentHandlers(bus, deps.workflows, deps.config.TEMPORAL_TASK_QUEUE);
  subscribeCrowdfundingHandlers(bus, deps.workflows, deps.config.TEMPORAL_TASK_QUEUE);
  subscribeNotificationHandlers(bus, recordingEmailSender);
  return bus;
}
