import {
  ActivityFailure,
  CancellationScope,
  condition,
  isCancellation,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { AccountingActivities } from '../activities/accounting.ts';
import type { BitcoinActivities } from '../activities/bitcoin.ts';
import type { SettingsActivities } from '../activities/settings.ts';
import type { MoneyJson } from '../src/kernel/money.ts';
import { Compensations } from './compensations.ts';
import { lightningPaymentFailedSignal, lightningPaymentSucceededSignal } from './messages.ts';
import { SagaJournal } from './saga-journal.ts';

// Short start-to-close timeouts: after a worker crash mid-activity, the retry comes soon.
const activities = proxyActivities<AccountingActivities & BitcoinActivities & SettingsActivities>({
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '200 milliseconds', maximumInterval: '10 seconds' },
});

export interface BitcoinWithdrawalInput {
  withdrawalId: string;
  accountId: string;
  customerId: string;
  amount: MoneyJson;
  paymentHash: string;
}

export type WithdrawalOutcome =
  { outcome: 'paid'; paymentHash: string } | { outcome: 'rejected'; reason: string } | { outcome: 'failed'; reason: string };

type NodeAnswer = 'pending' | 'succeeded' | 'failed' | 'unknown';

/**
 * Seed 003's withdrawal (`bitcoin-withdrawal-<withdrawalId>`), over a pending withdrawal
 * the API stored: reserve the funds (too little available: `rejected`, nothing held);
 * pay the invoice through the lightning node; the node's webhook `payment.succeeded`
 * settles the reservation (`paid`), `payment.failed` releases it (`failed`). With no
 * answer within WITHDRAWAL_TIMEOUT the saga asks the node: succeeded settles, anything
 * else releases. The release is registered before the reserve, and runs in a
 * non-cancellable scope; once the node reports success nothing is undone. The node
 * keys payments by payment hash, so a repeated pay activity never pays twice.
 * Webhook signals are deduplicated by event id.
 */
export async function bitcoinWithdrawal(input: BitcoinWithdrawalInput): Promise<WithdrawalOutcome> {
  const { withdrawalId, paymentHash } = input;
  const journal = new SagaJournal('reserving-funds', [input.customerId], { withdrawalId, accountId: input.accountId, paymentHash });
  upsertSearchAttributes({ WithdrawalId: [withdrawalId], CustomerId: [input.customerId] });

  const seenEvents = new Set<string>();
  let nodeSays: { status: 'succeeded' | 'failed'; reason?: string } | undefined;
  const onOutcome = (status: 'succeeded' | 'failed') => (outcome: { eventId: string; paymentHash: string; reason?: string }) => {
    if (seenEvents.has(outcome.eventId) || outcome.paymentHash !== paymentHash) return;
    seenEvents.add(outcome.eventId);
    nodeSays ??= { status, reason: outcome.reason }; // the node's first word on a payment is final
  };
  setHandler(lightningPaymentSucceededSignal, onOutcome('succeeded'));
  setHandler(lightningPaymentFailedSignal, onOutcome('failed'));

  const reservation = { accountId: input.accountId, reservationId: withdrawalId };
  const compensations = new Compensations();
  let payRequested = false;

  /** Settle or release by what the node says; the one place the saga ends an accepted withdrawal. */
  const finish = async (answer: NodeAnswer, reason: string): Promise<WithdrawalOutcome> => {
    if (answer === 'succeeded') {
      compensations.clear(); // the satoshis have left: from here on nothing is undone
      journal.enter('settling');
      await activities.settleReservation(reservation);
      await activities.markWithdrawalPaid(withdrawalId);
      journal.enter('paid');
      return { outcome: 'paid', paymentHash };
    }
    journal.enter('releasing');
    await compensations.run();
    await activities.markWithdrawalFailed(withdrawalId, reason);
    journal.enter('failed');
    return { outcome: 'failed', reason };
  };

  try {
    const { withdrawalTimeoutMs } = await activities.sagaTimeouts();

    compensations.register('release reservation', () => activities.releaseReservation(reservation));
    const { reserved } = await activities.reserveFunds({ ...reservation, amount: input.amount });
    if (!reserved) {
      compensations.clear(); // nothing was held
      journal.enter('rejecting');
      const reason = 'insufficient funds';
      await activities.rejectWithdrawal(withdrawalId, reason);
      journal.enter('rejected');
      return { outcome: 'rejected', reason };
    }
    journal.enter('accepting');
    await activities.acceptWithdrawal(withdrawalId);

    journal.enter('paying');
    let answer: NodeAnswer;
    let reason = 'the lightning node could not pay the invoice';
    payRequested = true;
    try {
      answer = (await activities.payWithdrawalInvoice(withdrawalId)).status;
    } catch (error) {
      if (!(error instanceof ActivityFailure)) throw error;
      // Refused or unreachable: ask what the node knows rather than assume.
      reason = `paying failed: ${error.cause?.message ?? error.message}`;
      journal.enter('asking-node');
      answer = await activities.lightningPaymentStatus(paymentHash);
    }

    if (answer === 'pending') {
      journal.enter('awaiting-node');
      if (await condition(() => nodeSays !== undefined, withdrawalTimeoutMs)) {
        answer = nodeSays!.status;
        reason = `the lightning payment failed${nodeSays!.reason ? ` (${nodeSays!.reason})` : ''}`;
      } else {
        journal.enter('asking-node');
        answer = await activities.lightningPaymentStatus(paymentHash);
        reason = answer === 'pending' ? 'no answer from the lightning node in time' : `the lightning node reports the payment ${answer}`;
      }
    } else if (answer === 'failed') {
      reason = 'the lightning payment failed';
    }
    return await finish(answer, reason);
  } catch (error) {
    if (isCancellation(error)) {
      journal.enter('cancelled-compensating');
      await CancellationScope.nonCancellable(async () => {
        const answer: NodeAnswer = payRequested ? await activities.lightningPaymentStatus(paymentHash) : 'unknown';
        await finish(answer, 'the withdrawal was cancelled');
      });
    }
    throw error;
  }
}
