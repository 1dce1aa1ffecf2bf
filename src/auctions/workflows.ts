import type { WorkflowGateway } from '../platform/temporal/workflow-gateway.ts';
import { END_AUCTION_NOW_SIGNAL } from '../../workflows/message-names.ts';
import { auctionClosingWorkflowId } from './use-cases.ts';

export interface AuctionClosingInput {
  auctionId: string;
  sellerId: string;
  endsAt: string;
}

/**
 * Starts the auction's closing timer. Called right after the auction is created and
 * again by the outbox handler of `AuctionCreated`, so a crash between the two cannot
 * leave an auction without its timer; the deterministic id makes the second a no-op.
 */
export async function startAuctionClosing(workflows: WorkflowGateway, taskQueue: string, input: AuctionClosingInput): Promise<void> {
  await workflows.start({
    workflowType: 'auctionClosing',
    workflowId: auctionClosingWorkflowId(input.auctionId),
    taskQueue,
    args: [input],
    searchAttributes: { AuctionId: input.auctionId, CustomerId: input.sellerId },
  });
}

/**
 * Cuts the closing timer short after the seller ended the auction. Signal-with-start, so
 * it works even if the timer was not started yet; a closing workflow that already
 * finished is left alone (it has done its work).
 */
export async function wakeAuctionClosing(workflows: WorkflowGateway, taskQueue: string, input: AuctionClosingInput): Promise<void> {
  await workflows.signalWithStart({
    workflowType: 'auctionClosing',
    workflowId: auctionClosingWorkflowId(input.auctionId),
    taskQueue,
    args: [input],
    searchAttributes: { AuctionId: input.auctionId, CustomerId: input.sellerId },
    signalName: END_AUCTION_NOW_SIGNAL,
    signalArg: {},
  });
}
