import {
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { BitcoinActivities } from '../activities/bitcoin.ts';
import type { SettingsActivities } from '../activities/settings.ts';
import { databaseSteps, moneyMovements, refusalOf } from './activity-options.ts';
import {
  bitcoinWithdrawalSaga,
  type BitcoinWithdrawalInput,
  type BitcoinWithdrawalResult,
  type LightningPaymentOutcome,
} from './bitcoin-withdrawal.contract.ts';
import { SagaJournal } from './saga-journal.ts';

const steps = databaseSteps<SettingsActivities>();
const money = moneyMovements<BitcoinActivities>();

type NodeAnswer = 'pending' | 'succeeded' | 'failed' | 'unknown';

/** However long the node stays silent, the saga asks at least this often. */
const LONGEST_WAIT_MS = 3_600_000;

/**
 * Seed 003's withdrawal (`bitcoin-withdrawal-<withdrawalId>`), over a pending withdrawal
 * the API stored:
 * 1. reserve the funds and accept the withdrawal, in one step (too little available:
 *    `rejected`, nothing held);
 * 2. pay the invoice through the lightning node (keyed by payment hash: never twice);
 * 3. wait for the node's word: `payment.succeeded` settles the reservation (`paid`),
 *    `payment.failed` releases it (`failed`). While the node says `pending`, nothing is
 *    released: the saga asks again after WITHDRAWAL_TIMEOUT, then less and less often,
 *    for as long as it takes, handing its history to a new run now and then.
 * Money moves only on a definite answer (docs/design.md, property 11). Cancelled while the node
 * still says pending, the saga keeps the reservation and the webhook settles or
 * releases it when the node decides.
 */
export async function bitcoinWithdrawal(input: BitcoinWithdrawalInput): Promise<BitcoinWithdrawalResult> {
  const { withdrawalId, paymentHash } = input;
  const journal = new SagaJournal(input.awaitingNode ? 'awaiting-node' : 'reserving-funds', [input.customerId], {
    withdrawalId,
    accountId: input.accountId,
    paymentHash,
  });
  journal.searchable({ WithdrawalId: [withdrawalId], CustomerId: [input.customerId] });

  let nodeSays: { status: 'succeeded' | 'failed'; reason?: string } | undefined;
  const onOutcome = (status: 'succeeded' | 'failed') => (outcome: LightningPaymentOutcome) => {
    if (outcome.paymentHash !== paymentHash) return;
    nodeSays ??= { status, reason: outcome.reason }; // the node's first word on a payment is final
  };
  setHandler(bitcoinWithdrawalSaga.signals.lightningPaymentSucceeded, onOutcome('succeeded'));
  setHandler(bitcoinWithdrawalSaga.signals.lightningPaymentFailed, onOutcome('failed'));

  /** What the node knows now; a node we cannot reach is no answer, so: still pending. */
  const askNode = async (): Promise<NodeAnswer> => {
    journal.enter('asking-node');
    try {
      return await money.lightningPaymentStatus(paymentHash);
    } catch (error) {
      if (isCancellation(error)) throw error;
      return 'pending';
    }
  };

  /** Settle or release by a definite answer; the one place the saga ends an accepted withdrawal. */
  const finish = async (answer: 'succeeded' | 'failed' | 'unknown', reason: string): Promise<BitcoinWithdrawalResult> => {
    if (answer === 'succeeded') {
      journal.enter('settling');
      await money.settleWithdrawal(withdrawalId);
      journal.enter('paid');
      return { outcome: 'paid', paymentHash };
    }
    journal.enter('releasing');
    await money.releaseWithdrawal(withdrawalId, reason);
    journal.enter('failed');
    return { outcome: 'failed', reason };
  };

  let payRequested = input.awaitingNode !== undefined;
  try {
    const { withdrawalTimeoutMs, withdrawalAsksPerRun } = await steps.sagaTimeouts();
    let answer: NodeAnswer = 'pending';
    let reason = 'the lightning payment failed';

    if (!input.awaitingNode) {
      const { reserved } = await money.reserveWithdrawalFunds(withdrawalId);
      if (!reserved) {
        journal.enter('rejected');
        return { outcome: 'rejected', reason: 'insufficient funds' };
      }
      journal.enter('paying');
      payRequested = true;
      try {
        answer = (await money.payWithdrawalInvoice(withdrawalId)).status;
      } catch (error) {
        if (isCancellation(error)) throw error;
        // Refused or unreachable: what the node knows decides, not what we guess.
        const refusal = refusalOf(error);
        reason = refusal ? `the lightning node refused the payment: ${refusal.message}` : 'the lightning node could not be reached';
        answer = await askNode();
      }
    }

    let waitMs = input.awaitingNode?.nextAskInMs ?? withdrawalTimeoutMs;
    let asks = 0;
    while (answer === 'pending' && nodeSays === undefined) {
      journal.enter('awaiting-node');
      await condition(() => nodeSays !== undefined, waitMs);
      // Woken by the webhook or by the timer, the next step is the same: ask the node. A timer and a
      // signal that land together may be seen in either order (live, after a crash, and in replay), so
      // nothing here may depend on which came first; what the node and its webhook said decides below.
      answer = await askNode();
      waitMs = Math.min(waitMs * 2, Math.max(LONGEST_WAIT_MS, withdrawalTimeoutMs));
      if (answer === 'pending' && nodeSays === undefined && (++asks >= withdrawalAsksPerRun || workflowInfo().continueAsNewSuggested)) {
        await continueAsNew<typeof bitcoinWithdrawal>({ ...input, awaitingNode: { nextAskInMs: waitMs } });
      }
    }
    if (nodeSays) {
      answer = nodeSays.status;
      if (answer === 'failed') reason = `the lightning payment failed${nodeSays.reason ? ` (${nodeSays.reason})` : ''}`;
    } else if (answer === 'unknown') {
      reason = 'the lightning node never received the payment';
    }
    return await finish(answer as 'succeeded' | 'failed' | 'unknown', reason);
  } catch (error) {
    if (isCancellation(error)) {
      journal.enter('cancelled-compensating');
      await CancellationScope.nonCancellable(async () => {
        // Money activities wait for their attempt to end, so the node's answer now is the whole truth.
        const answer: NodeAnswer = nodeSays?.status ?? (payRequested ? await askNode() : 'unknown');
        if (answer === 'pending') {
          journal.enter('cancelled-payment-pending'); // the reservation stays; the node's webhook settles or releases it
          return;
        }
        await finish(answer, 'the withdrawal was cancelled');
      });
    }
    throw error;
  }
}
