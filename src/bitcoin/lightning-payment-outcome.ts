import type { UnitOfWork } from '../platform/db/unit-of-work.ts';
import type { Logger } from '../platform/log.ts';
import { WorkflowNotFound, type WorkflowGateway } from '../platform/temporal/workflow-gateway.ts';
import { bitcoinWithdrawalSaga } from '../../workflows/bitcoin-withdrawal.contract.ts';
import type { LightningPaymentOutcomeEvent } from './lightning-webhook-events.ts';
import { findWithdrawal } from './repository.ts';
import { applyLateLightningOutcome } from './use-cases.ts';

const SIGNALS = {
  'payment.succeeded': bitcoinWithdrawalSaga.signals.lightningPaymentSucceeded,
  'payment.failed': bitcoinWithdrawalSaga.signals.lightningPaymentFailed,
} as const;

/**
 * The lightning node's word on a withdrawal's payment, in the webhook's unit of work.
 * An event for no withdrawal of ours (or for another invoice) is ignored. Otherwise the
 * withdrawal's saga hears of it, with the event id, by which it deduplicates; if no saga
 * waits any more (it was cancelled while the node said pending), the outcome is applied
 * here, and one that contradicts the finished withdrawal is reported for reconciliation.
 */
export async function receiveLightningPaymentOutcome(
  deps: { workflows: WorkflowGateway; logger: Logger },
  uow: UnitOfWork,
  event: LightningPaymentOutcomeEvent,
): Promise<void> {
  const { logger } = deps;
  const { withdrawalId, paymentHash, reason } = event.data;
  const withdrawal = await findWithdrawal(uow, withdrawalId);
  if (!withdrawal || withdrawal.state.paymentHash !== paymentHash) {
    logger.warn({ id: event.id, withdrawalId, paymentHash }, 'lightning event for no withdrawal of ours; ignored');
    return;
  }
  try {
    await deps.workflows.signal(bitcoinWithdrawalSaga.workflowId(withdrawalId), SIGNALS[event.type], {
      eventId: event.id,
      paymentHash,
      ...(reason ? { reason } : {}),
    });
  } catch (error) {
    if (!(error instanceof WorkflowNotFound)) throw error;
    // No saga waits any more (it was cancelled while the node said pending): the fact is applied here.
    const outcome = event.type === 'payment.succeeded' ? { status: 'succeeded' as const } : { status: 'failed' as const, reason };
    const applied = await applyLateLightningOutcome(uow, withdrawalId, outcome);
    const log = applied === 'contradicts' ? logger.error.bind(logger) : logger.info.bind(logger);
    log(
      { id: event.id, withdrawalId, status: withdrawal.state.status, type: event.type, applied },
      applied === 'contradicts'
        ? 'a late lightning result contradicts the finished withdrawal; reconcile with the node'
        : 'late lightning result applied without its saga',
    );
  }
}
