import type { MessageBus } from '../platform/bus/message-bus.ts';
import type { WorkflowGateway } from '../platform/temporal/workflow-gateway.ts';
import { startAuctionClosing, wakeAuctionClosing } from './workflows.ts';

/**
 * The outbox's guarantee behind the API's fast path: the route starts the closing
 * timer (and wakes it on an early end) right away, and these handlers do it again from
 * the committed events, so a crash between commit and call cannot lose either.
 */
export function subscribeAuctionHandlers(bus: MessageBus, workflows: WorkflowGateway, taskQueue: string): void {
  bus.subscribe('AuctionCreated', 'auctions.start-closing-timer', async ({ payload }) => {
    await startAuctionClosing(workflows, taskQueue, {
      auctionId: String(payload.aggregateId),
      sellerId: String(payload.sellerId),
      endsAt: String(payload.endsAt),
    });
  });
  bus.subscribe('AuctionEnded', 'auctions.wake-closing-timer', async ({ payload }) => {
    // The closing workflow may have ended the auction itself; waking a finished one is a no-op.
    await wakeAuctionClosing(workflows, taskQueue, {
      auctionId: String(payload.aggregateId),
      sellerId: String(payload.sellerId),
      endsAt: String(payload.endsAt),
    });
  });
}
