import type pg from 'pg';
import { z } from 'zod';
import type { LightningNode } from '../src/bitcoin/lightning-node.ts';
import { payWithdrawalInvoice, releaseWithdrawal, reserveWithdrawalFunds, settleWithdrawal } from '../src/bitcoin/use-cases.ts';
import type { Clock } from '../src/kernel/clock.ts';

const WithdrawalId = z.string().uuid();
const Reason = z.string().min(1).max(500);
const PaymentHash = z.string().regex(/^[0-9a-f]{64}$/);

/**
 * Activities of the bitcoin context. Each moves the withdrawal and its reservation
 * together and is idempotent (a repeat finds the withdrawal already there); paying is
 * keyed by the invoice's payment hash at the node.
 */
export function createBitcoinActivities(deps: { pool: pg.Pool; clock: Clock; node: LightningNode }) {
  const { pool, node } = deps;
  return {
    reserveWithdrawalFunds: (withdrawalId: string) => reserveWithdrawalFunds(pool, WithdrawalId.parse(withdrawalId)),
    payWithdrawalInvoice: (withdrawalId: string) =>
      payWithdrawalInvoice({ pool, clock: deps.clock }, node, WithdrawalId.parse(withdrawalId)),
    lightningPaymentStatus: (paymentHash: string) => node.paymentStatus(PaymentHash.parse(paymentHash)),
    settleWithdrawal: (withdrawalId: string) => settleWithdrawal(pool, WithdrawalId.parse(withdrawalId)),
    releaseWithdrawal: (withdrawalId: string, reason: string) =>
      releaseWithdrawal(pool, WithdrawalId.parse(withdrawalId), Reason.parse(reason)),
  };
}

export type BitcoinActivities = ReturnType<typeof createBitcoinActivities>;
