import { eventHandlers } from '../platform/bus/event-handlers.ts';
import type { MessageBus } from '../platform/bus/message-bus.ts';
import type { WorkflowGateway } from '../platform/temporal/workflow-gateway.ts';
import { auctionClosingSaga } from '../../workflows/auction-closing.contract.ts';
import { wakeClosingTimer } from './closing-timer.ts';
import type { AuctionEvent } from './domain.ts';
import { auctionEventPayloads } from './event-payloads.ts';

/**
 * The outbox's guarantee behind the API's fast path: the route starts the closing
 * timer (and wakes it on an early end) right away, and these handlers do it again from
 * the committed events, so a crash between commit and call cannot lose either.
 */
export function subscribeAuctionHandlers(bus: MessageBus, workflows: WorkflowGateway, taskQueue: string): void {
  const handle = eventHandlers<AuctionEvent>(bus);
  handle('AuctionCreated', 'auctions.start-closing-timer', auctionEventPayloads.AuctionCreated, async (event) => {
    await workflows.start(
      auctionClosingSaga,
      { auctionId: event.aggregateId, sellerId: event.sellerId, endsAt: event.endsAt },
      { taskQueue },
    );
  });
  handle('AuctionEnded', 'auctions.wake-closing-timer', auctionEventPayloads.AuctionEnded, async (event) => {
    // The closing workflow may have ended the auction itself; waking a finished one is a no-op.
    await wakeClosingTimer(workflows, taskQueue, {
      auctionId: event.aggregateId,
      sellerId: event.sellerId,
      endsAt: event.endsAt,
    });
  });
}
