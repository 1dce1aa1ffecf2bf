import { Aggregate } from '../kernel/aggregate.ts';
import { Conflict } from '../kernel/errors.ts';
import type { Money, MoneyJson } from '../kernel/money.ts';

/**
 * A withdrawal of satoshis over lightning (seed 003). It starts `pending`; the saga
 * reserves the funds (`accepted`) or finds too little available (`rejected`); the node
 * pays the invoice (`paid`) or does not (`failed`). Terminal states never change, and
 * a repeated transition is a no-op, since saga activities may run more than once.
 */
export type WithdrawalStatus = 'pending' | 'accepted' | 'paid' | 'rejected' | 'failed';

export type WithdrawalEvent =
  | { type: 'WithdrawalRequested'; accountId: string; customerId: string; amount: MoneyJson; paymentHash: string }
  | { type: 'WithdrawalAccepted'; customerId: string; amount: MoneyJson }
  | { type: 'WithdrawalRejected'; customerId: string; amount: MoneyJson; reason: string }
  | { type: 'WithdrawalPaid'; customerId: string; amount: MoneyJson; paymentHash: string }
  | { type: 'WithdrawalFailed'; customerId: string; amount: MoneyJson; reason: string };

export interface WithdrawalState {
  accountId: string;
  customerId: string;
  amount: Money;
  invoice: string;
  paymentHash: string;
  invoiceExpiresAt: Date;
  status: WithdrawalStatus;
  reason: string | null;
}

export class Withdrawal extends Aggregate<WithdrawalEvent> {
  private constructor(
    id: string,
    version: number,
    private readonly current: WithdrawalState,
  ) {
    super(id, version);
  }

  static request(input: {
    id: string;
    accountId: string;
    customerId: string;
    amount: Money;
    invoice: string;
    paymentHash: string;
    invoiceExpiresAt: Date;
  }): Withdrawal {
    const { id, ...rest } = input;
    const withdrawal = new Withdrawal(id, 0, { ...rest, status: 'pending', reason: null });
    withdrawal.record({
      type: 'WithdrawalRequested',
      accountId: input.accountId,
      customerId: input.customerId,
      amount: input.amount.toJSON(),
      paymentHash: input.paymentHash,
    });
    return withdrawal;
  }

  static restore(id: string, version: number, state: WithdrawalState): Withdrawal {
    return new Withdrawal(id, version, state);
  }

  get state(): Readonly<WithdrawalState> {
    return this.current;
  }

  /** Funds are reserved: the invoice may be paid. */
  accept(): void {
    if (this.current.status === 'accepted' || this.current.status === 'paid' || this.current.status === 'failed') return;
    this.assertStatus('pending', 'accept');
    this.current.status = 'accepted';
    this.record({ type: 'WithdrawalAccepted', customerId: this.current.customerId, amount: this.current.amount.toJSON() });
  }

  /** Too little available: nothing was reserved, nothing will be paid. */
  reject(reason: string): void {
    if (this.current.status === 'rejected') return;
    this.assertStatus('pending', 'reject');
    this.current.status = 'rejected';
    this.current.reason = reason;
    this.record({ type: 'WithdrawalRejected', customerId: this.current.customerId, amount: this.current.amount.toJSON(), reason });
  }

  markPaid(): void {
    if (this.current.status === 'paid') return;
    this.assertStatus('accepted', 'mark paid');
    this.current.status = 'paid';
    this.record({
      type: 'WithdrawalPaid',
      customerId: this.current.customerId,
      amount: this.current.amount.toJSON(),
      paymentHash: this.current.paymentHash,
    });
  }

  markFailed(reason: string): void {
    if (this.current.status === 'failed') return;
    if (this.current.status !== 'accepted' && this.current.status !== 'pending') this.assertStatus('accepted', 'mark failed');
    this.current.status = 'failed';
    this.current.reason = reason;
    this.record({ type: 'WithdrawalFailed', customerId: this.current.customerId, amount: this.current.amount.toJSON(), reason });
  }

  private assertStatus(expected: WithdrawalStatus, action: string): void {
    if (this.current.status !== expected) throw new Conflict(`cannot ${action} withdrawal ${this.id}: it is ${this.current.status}`);
  }
}
