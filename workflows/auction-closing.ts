import { ParentClosePolicy, WorkflowIdReusePolicy, condition, setHandler, startChild } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { AuctionActivities } from '../activities/auctions.ts';
import { databaseSteps } from './activity-options.ts';
import { endAuctionNowSignal } from './messages.ts';
import { payingForWonItem } from './paying-for-won-item.ts';
import { SagaJournal } from './saga-journal.ts';

const { endAuction } = databaseSteps<AuctionActivities>();

export interface AuctionClosingInput {
  auctionId: string;
  sellerId: string;
  endsAt: string;
}

/**
 * The auction's closing timer (`auction-closing-<auctionId>`): sleeps until `endsAt` on
 * a durable timer, or less if the seller ends early, ends the auction, and hands a won
 * auction to the paying-for-won-item saga, a child that outlives this workflow. Both
 * ids are deterministic, so however often this runs, one auction has one paying saga.
 */
export async function auctionClosing(input: AuctionClosingInput): Promise<{ winnerId: string | null }> {
  const journal = new SagaJournal('waiting-for-end', [input.sellerId], { auctionId: input.auctionId });
  let endNow = false;
  setHandler(endAuctionNowSignal, () => void (endNow = true));

  const untilEnd = Date.parse(input.endsAt) - Date.now();
  if (untilEnd > 0) await condition(() => endNow, untilEnd);

  journal.enter('ending');
  const ended = await endAuction(input.auctionId);
  if (!ended.winnerId || !ended.winningBid) {
    journal.enter('ended-without-bids');
    return { winnerId: null };
  }

  journal.know('winnerId', ended.winnerId);
  journal.enter('starting-paying-saga');
  try {
    await startChild(payingForWonItem, {
      workflowId: `paying-for-won-item-${input.auctionId}`,
      args: [
        {
          auctionId: input.auctionId,
          winnerId: ended.winnerId,
          sellerId: ended.sellerId,
          title: ended.title,
          amount: ended.winningBid,
          fulfilment: ended.fulfilment,
        },
      ],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      searchAttributes: { AuctionId: [input.auctionId], CustomerId: [ended.winnerId, ended.sellerId] },
    });
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
  journal.enter('handed-over');
  return { winnerId: ended.winnerId };
}
