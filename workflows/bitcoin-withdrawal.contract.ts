import type { MoneyJson } from '../src/kernel/money.ts';
import { defineSaga, signal } from './saga-contract.ts';

export interface BitcoinWithdrawalInput {
  withdrawalId: string;
  accountId: string;
  customerId: string;
  amount: MoneyJson;
  paymentHash: string;
  /** Set by continue-as-new: the lightning payment is at the node and pending; keep asking, this long next. */
  awaitingNode?: { nextAskInMs: number };
}

export type BitcoinWithdrawalResult =
  { outcome: 'paid'; paymentHash: string } | { outcome: 'rejected'; reason: string } | { outcome: 'failed'; reason: string };

/** A lightning node webhook turned signal; `eventId` is the webhook's id, for deduplication. */
export interface LightningPaymentOutcome {
  eventId: string;
  paymentHash: string;
  reason?: string;
}

/** Seed 003's withdrawal, `bitcoin-withdrawal-<withdrawalId>` (workflows/bitcoin-withdrawal.ts). */
export const bitcoinWithdrawalSaga = defineSaga<BitcoinWithdrawalInput, BitcoinWithdrawalResult>()({
  workflowType: 'bitcoinWithdrawal',
  workflowId: (withdrawalId) => `bitcoin-withdrawal-${withdrawalId}`,
  businessKey: (input) => input.withdrawalId,
  searchAttributes: (input) => ({ WithdrawalId: input.withdrawalId, CustomerId: [input.customerId] }),
  signals: {
    /** The node paid the withdrawal's invoice (`payment.succeeded`). */
    lightningPaymentSucceeded: signal<LightningPaymentOutcome>('lightningPaymentSucceeded'),
    /** The node gave up on it (`payment.failed`). */
    lightningPaymentFailed: signal<LightningPaymentOutcome>('lightningPaymentFailed'),
  },
});
