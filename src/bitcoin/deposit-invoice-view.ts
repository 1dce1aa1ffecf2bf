import type { MoneyJson } from '../kernel/money.ts';
import { depositInvoiceStatus, type DepositInvoiceStatus } from './deposit-invoice.ts';
import type { DepositInvoiceRecord } from './deposit-invoice-store.ts';

/** A deposit invoice as its owner sees it; `status` is read at `now`, so an open one past its expiry shows `expired`. */
export interface DepositInvoiceView {
  id: string;
  accountId: string;
  invoice: string;
  paymentHash: string;
  expiresAt: string;
  amount: MoneyJson;
  status: DepositInvoiceStatus;
  received: MoneyJson | null;
  paidAt: string | null;
  createdAt: string;
}

export function depositInvoiceView(record: DepositInvoiceRecord, now: Date): DepositInvoiceView {
  return {
    id: record.id,
    accountId: record.accountId,
    invoice: record.invoice,
    paymentHash: record.paymentHash,
    expiresAt: record.expiresAt.toISOString(),
    amount: record.amount.toJSON(),
    status: depositInvoiceStatus(record.status, record.expiresAt, now),
    received: record.received?.toJSON() ?? null,
    paidAt: record.paidAt?.toISOString() ?? null,
    createdAt: record.createdAt.toISOString(),
  };
}
