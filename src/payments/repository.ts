import { Money, type Currency } from '../kernel/money.ts';
import { recordChangesCtes, versionedWriteRecording } from '../platform/db/record-changes.ts';
import type { AggregateWriter, UnitOfWork } from '../platform/db/unit-of-work.ts';
import { Payment, type PaymentStatus } from './domain.ts';

const COLUMNS = `auction_id, payer_id, payee_id, currency, amount_minor, title, status, attempts, provider_charge_id, payable_until,
  captured_minor, refunded_minor, unwanted_charge_ids, refund_ids, failed_charge_ids, version`;
const PLACEHOLDERS = (from: number) => Array.from({ length: 16 }, (_, i) => `$${from + i}`).join(', ');
const UPDATE_PAYMENT = `UPDATE payments SET (${COLUMNS}) = (${PLACEHOLDERS(3)}) WHERE id = $1 AND version = $2`;
/** A webhook's or a saga step's change in one round trip: the versioned update, the events, the outbox, the NOTIFY. */
const UPDATE_PAYMENT_RECORDING = versionedWriteRecording(UPDATE_PAYMENT, 19);

const paymentWriter: AggregateWriter<Payment> = {
  aggregateType: 'Payment',
  async insert(sql, payment) {
    await sql.query(`INSERT INTO payments (id, ${COLUMNS}) VALUES ($1, ${PLACEHOLDERS(2)})`, [payment.id, ...values(payment)]);
  },
  async update(sql, payment, expectedVersion) {
    const { rowCount } = await sql.query(UPDATE_PAYMENT, [payment.id, expectedVersion, ...values(payment)]);
    return rowCount === 1;
  },
  async updateRecording(sql, payment, expectedVersion, changes) {
    const { rows } = await sql.query<{ written: number }>({
      name: 'payments.update-recording',
      text: UPDATE_PAYMENT_RECORDING,
      values: [payment.id, expectedVersion, ...values(payment), ...recordChangesCtes(changes, 19).values],
    });
    return rows[0]?.written === 1;
  },
};

function values(payment: Payment): unknown[] {
  const s = payment.state;
  return [
    s.auctionId,
    s.payerId,
    s.payeeId,
    s.amount.currency,
    s.amount.minorUnits.toString(),
    s.title,
    s.status,
    s.attempts,
    s.providerChargeId,
    s.payableUntil,
    s.captured.minorUnits.toString(),
    s.refunded.minorUnits.toString(),
    s.unwantedChargeIds,
    s.refundIds,
    s.failedChargeIds,
    payment.version,
  ];
}

export async function findPayment(uow: UnitOfWork, id: string): Promise<Payment | undefined> {
  return (await uow.tracked<Payment>(paymentWriter.aggregateType, id)) ?? load(uow, 'id', id);
}

export async function findPaymentOfAuction(uow: UnitOfWork, auctionId: string): Promise<Payment | undefined> {
  return load(uow, 'auction_id', auctionId);
}

export function addPayment(uow: UnitOfWork, payment: Payment): void {
  uow.add(payment, paymentWriter);
}

async function load(uow: UnitOfWork, column: 'id' | 'auction_id', value: string): Promise<Payment | undefined> {
  const { rows } = await uow.read(`SELECT id, ${COLUMNS} FROM payments WHERE ${column} = $1`, [value]);
  const row = rows[0];
  if (!row) return undefined;
  const tracked = uow.tracked<Payment>(paymentWriter.aggregateType, row.id);
  if (tracked) return tracked;
  const currency = row.currency as Currency;
  const payment = Payment.restore(row.id, row.version, {
    auctionId: row.auction_id,
    payerId: row.payer_id,
    payeeId: row.payee_id,
    amount: Money.fromMinorUnits(BigInt(row.amount_minor), currency),
    title: row.title,
    status: row.status as PaymentStatus,
    attempts: row.attempts,
    providerChargeId: row.provider_charge_id,
    payableUntil: row.payable_until,
    captured: Money.fromMinorUnits(BigInt(row.captured_minor), currency),
    refunded: Money.fromMinorUnits(BigInt(row.refunded_minor), currency),
    unwantedChargeIds: row.unwanted_charge_ids,
    refundIds: row.refund_ids,
    failedChargeIds: row.failed_charge_ids,
  });
  return uow.track(payment, paymentWriter);
}
