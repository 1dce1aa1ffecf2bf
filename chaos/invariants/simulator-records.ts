import type { MoneyJson } from '../../src/kernel/money.ts';

/** A charge as the payment provider simulator lists it (`GET /charges`): its own record, not ours. */
export interface ProviderCharge {
  chargeId: string;
  paymentId: string;
  amount: MoneyJson;
  /** `pending`, `charged`, `captured`, `failed`, `cancelled` (voided) or `refunded` (fully). */
  status: string;
  refunds: { refundId: string; amount: MoneyJson }[];
}

/** A payment as the lightning node simulator lists it (`GET /payments`). */
export interface NodePayment {
  paymentHash: string;
  withdrawalId: string;
  status: 'pending' | 'succeeded' | 'failed';
  amountSats: number;
}

export async function providerCharges(paymentsUrl: string): Promise<ProviderCharge[]> {
  return ((await readJson(`${paymentsUrl}/charges`)) as { charges: ProviderCharge[] }).charges;
}

export async function nodePayments(lightningUrl: string): Promise<NodePayment[]> {
  return ((await readJson(`${lightningUrl}/payments`)) as { payments: NodePayment[] }).payments;
}

async function readJson(url: string): Promise<unknown> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return response.json();
}
