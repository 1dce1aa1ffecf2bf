import type { MoneyJson } from '../src/kernel/money.ts';
import { defineSaga, signal } from './saga-contract.ts';

export interface PayingForWonItemInput {
  auctionId: string;
  winnerId: string;
  sellerId: string;
  title: string;
  amount: MoneyJson;
  fulfilment: 'delivery' | 'service';
}

export type PayingForWonItemResult = { outcome: 'paid'; paymentId: string } | { outcome: 'unpaid'; paymentId: string };

/** The winner asked to charge a card (`POST /payments/:id/charge`); `attempt` numbers it. */
export interface ChargeRequested {
  attempt: number;
  cardToken: string;
}

/** A payment provider webhook turned signal; `eventId` is the webhook's id, for deduplication. */
export interface ChargeOutcome {
  eventId: string;
  reason?: string;
}

/** Seed 001's PayingForWonItem, `paying-for-won-item-<auctionId>` (workflows/paying-for-won-item.ts). */
export const payingForWonItemSaga = defineSaga<PayingForWonItemInput, PayingForWonItemResult>()({
  workflowType: 'payingForWonItem',
  workflowId: (auctionId) => `paying-for-won-item-${auctionId}`,
  businessKey: (input) => input.auctionId,
  searchAttributes: (input) => ({ AuctionId: input.auctionId, CustomerId: [input.winnerId, input.sellerId] }),
  signals: {
    chargeRequested: signal<ChargeRequested>('chargeRequested'),
    /** The provider captured a charge of this payment (`payment.captured`). */
    chargeCaptured: signal<ChargeOutcome>('paymentCaptured'),
    /** The provider declined a charge of this payment (`payment.failed`). */
    chargeFailed: signal<ChargeOutcome>('paymentFailed'),
  },
});
