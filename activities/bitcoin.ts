import { ApplicationFailure } from '@temporalio/activity';
import type pg from 'pg';
import { z } from 'zod';
import type { LightningNode } from '../src/bitcoin/lightning-node.ts';
import {
  acceptWithdrawal,
  markWithdrawalFailed,
  markWithdrawalPaid,
  payWithdrawalInvoice,
  rejectWithdrawal,
} from '../src/bitcoin/use-cases.ts';
import type { Clock } from '../src/kernel/clock.ts';
import { DomainError } from '../src/kernel/errors.ts';
import { HttpCallError } from '../src/platform/http/json-client.ts';

const WithdrawalId = z.string().uuid();
const Reason = z.string().min(1).max(500);
const PaymentHash = z.string().regex(/^[0-9a-f]{64}$/);

/**
 * Activities of the bitcoin context. Status changes are idempotent (a repeat finds the
 * withdrawal already there); paying is keyed by the invoice's payment hash at the node.
 * A refusal no retry can change (the node's 4xx, a domain rule) fails at once, without
 * retries, so the saga can decide what it means.
 */
export function createBitcoinActivities(deps: { pool: pg.Pool; clock: Clock; node: LightningNode }) {
  const bitcoin = { pool: deps.pool, clock: deps.clock };
  return {
    acceptWithdrawal: (withdrawalId: string) => acceptWithdrawal(deps.pool, WithdrawalId.parse(withdrawalId)),
    rejectWithdrawal: (withdrawalId: string, reason: string) =>
      rejectWithdrawal(deps.pool, WithdrawalId.parse(withdrawalId), Reason.parse(reason)),
    markWithdrawalPaid: (withdrawalId: string) => markWithdrawalPaid(deps.pool, WithdrawalId.parse(withdrawalId)),
    markWithdrawalFailed: (withdrawalId: string, reason: string) =>
      markWithdrawalFailed(deps.pool, WithdrawalId.parse(withdrawalId), Reason.parse(reason)),
    payWithdrawalInvoice: (withdrawalId: string) => final(() => payWithdrawalInvoice(bitcoin, deps.node, WithdrawalId.parse(withdrawalId))),
    lightningPaymentStatus: (paymentHash: string) => final(() => deps.node.paymentStatus(PaymentHash.parse(paymentHash))),
  };
}

async function final<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if ((error instanceof HttpCallError && !error.retryable) || error instanceof DomainError) {
      throw ApplicationFailure.nonRetryable(error.message, error.name);
    }
    throw error;
  }
}

export type BitcoinActivities = ReturnType<typeof createBitcoinActivities>;
