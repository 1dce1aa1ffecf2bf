import { condition, setHandler } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { AuctionActivities } from '../activities/auctions.ts';
import { databaseSteps } from './activity-options.ts';
import { auctionClosingSaga, type AuctionClosingInput, type AuctionClosingResult } from './auction-closing.contract.ts';
import { startChildSaga } from './child-sagas.ts';
import { payingForWonItem } from './paying-for-won-item.ts';
import { payingForWonItemSaga } from './paying-for-won-item.contract.ts';
import { SagaJournal } from './saga-journal.ts';

const { endAuction } = databaseSteps<AuctionActivities>();

/**
 * The auction's closing timer (`auction-closing-<auctionId>`): sleeps until `endsAt` on
 * a durable timer, or less if the seller ends early, ends the auction, and hands a won
 * auction to the paying-for-won-item saga, a child that outlives this workflow. Both
 * ids are deterministic, so however often this runs, one auction has one paying saga.
 */
export async function auctionClosing(input: AuctionClosingInput): Promise<AuctionClosingResult> {
  const journal = new SagaJournal('waiting-for-end', [input.sellerId], { auctionId: input.auctionId });
  let endNow = false;
  setHandler(auctionClosingSaga.signals.endAuctionNow, () => void (endNow = true));

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
    await startChildSaga(payingForWonItem, payingForWonItemSaga, {
      auctionId: input.auctionId,
      winnerId: ended.winnerId,
      sellerId: ended.sellerId,
      title: ended.title,
      amount: ended.winningBid,
      fulfilment: ended.fulfilment,
    });
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
  journal.enter('handed-over');
  return { winnerId: ended.winnerId };
}
