import { Money, type Currency, type MoneyJson } from '../kernel/money.ts';
import type { Sql } from '../platform/db/pools.ts';
import type { PaymentStatus } from './domain.ts';

export interface PaymentView {
  id: string;
  auctionId: string;
  payerId: string;
  payeeId: string;
  amount: MoneyJson;
  title: string;
  status: PaymentStatus;
  attempts: number;
  providerChargeId: string | null;
  /** What the provider refunded so far (whole or partial); zero until then. */
  refunded: MoneyJson;
  payableUntil: string;
  createdAt: string;
  version: number;
}

const SELECT = `SELECT id, auction_id, payer_id, payee_id, currency, amount_minor, title, status, attempts, provider_charge_id,
  refunded_minor, payable_until, created_at, version
  FROM payments`;

export async function getPayment(read: Sql, id: string): Promise<PaymentView | undefined> {
  const { rows } = await read.query(`${SELECT} WHERE id = $1`, [id]);
  return rows[0] && toView(rows[0]);
}

export async function listPaymentsOfCustomer(read: Sql, customerId: string): Promise<PaymentView[]> {
  const { rows } = await read.query(`${SELECT} WHERE payer_id = $1 OR payee_id = $1 ORDER BY created_at DESC LIMIT 200`, [customerId]);
  return rows.map(toView);
}

function toView(row: Record<string, any>): PaymentView {
  return {
    id: row.id,
    auctionId: row.auction_id,
    payerId: row.payer_id,
    payeeId: row.payee_id,
    amount: Money.fromMinorUnits(BigInt(row.amount_minor), row.currency as Currency).toJSON(),
    title: row.title,
    status: row.status,
    attempts: row.attempts,
    providerChargeId: row.provider_charge_id,
    refunded: Money.fromMinorUnits(BigInt(row.refunded_minor), row.currency as Currency).toJSON(),
    payableUntil: row.payable_until.toISOString(),
    createdAt: row.created_at.toISOString(),
    version: row.version,
  };
}

/** Who may see a payment's audit trail: payer and payee. */
export async function paymentParties(read: Sql, paymentId: string): Promise<string[] | undefined> {
  const payment = await getPayment(read, paymentId);
  return payment && [payment.payerId, payment.payeeId];
}
