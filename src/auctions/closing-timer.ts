import { auctionClosingSaga, type AuctionClosingInput } from '../../workflows/auction-closing.contract.ts';
import type { WorkflowGateway } from '../platform/temporal/workflow-gateway.ts';

/**
 * Cuts the auction's closing timer short after the seller ended the auction.
 * Signal-with-start, so it works even if the timer was not started yet; a closing saga
 * that already finished is left alone (it has done its work).
 */
export async function wakeClosingTimer(workflows: WorkflowGateway, taskQueue: string, input: AuctionClosingInput): Promise<void> {
  await workflows.signalWithStart(auctionClosingSaga, input, auctionClosingSaga.signals.endAuctionNow, {}, { taskQueue });
}
