import { defineSaga, signal } from './saga-contract.ts';

export interface AuctionClosingInput {
  auctionId: string;
  sellerId: string;
  endsAt: string;
}

export interface AuctionClosingResult {
  winnerId: string | null;
}

/** The auction's closing timer, `auction-closing-<auctionId>` (workflows/auction-closing.ts). */
export const auctionClosingSaga = defineSaga<AuctionClosingInput, AuctionClosingResult>()({
  workflowType: 'auctionClosing',
  workflowId: (auctionId) => `auction-closing-${auctionId}`,
  businessKey: (input) => input.auctionId,
  searchAttributes: (input) => ({ AuctionId: input.auctionId, CustomerId: input.sellerId }),
  signals: {
    /** The seller ended the auction early. */
    endAuctionNow: signal<Record<string, never>>('endAuctionNow'),
  },
});
