import { Money, type Currency, type MoneyJson } from '../../src/kernel/money.ts';
import type { InvariantRow } from './invariant-row.ts';
import { providerCharges, type ProviderCharge } from './simulator-records.ts';
import type { MoneyWorld } from './world.ts';

export const PROVIDER_CHARGES_ROW = 'provider charges taken − refunds = captured payments, at most one kept capture per payment';

interface PaymentMoney {
  id: string;
  status: string;
  currency: Currency;
  amount_minor: string;
  captured_minor: string;
  refunded_minor: string;
}

/** A charge the provider took money for, whether it still keeps it (`captured`) or gave it all back (`refunded`). */
const tookMoney = (charge: ProviderCharge) => charge.status === 'captured' || charge.status === 'refunded';

/**
 * Provider charges taken minus refunds = what each payment records as captured minus
 * refunded (the payment counts each capture and each refund once, by id, so a repeated
 * webhook cannot inflate it); a payment keeps at most one capture (a second one is
 * unwanted and refunded); a `captured` payment is paid in full; a `cancelled` or `failed`
 * one holds nothing.
 */
export function reconcileCharges(charges: readonly ProviderCharge[], payments: readonly PaymentMoney[]): string[] {
  const violations: string[] = [];
  for (const payment of payments) {
    const currency = payment.currency;
    const sum = (list: MoneyJson[]) => list.reduce<Money>((total, m) => total.add(Money.fromJSON(m)), Money.zero(currency));
    const ours = charges.filter((c) => c.paymentId === payment.id);
    const taken = sum(ours.filter(tookMoney).map((c) => c.amount));
    const refunds = sum(ours.flatMap((c) => c.refunds.map((r) => r.amount)));
    const recordedCaptured = Money.fromMinorUnits(BigInt(payment.captured_minor), currency);
    const recordedRefunded = Money.fromMinorUnits(BigInt(payment.refunded_minor), currency);
    if (!taken.equals(recordedCaptured) || !refunds.equals(recordedRefunded)) {
      violations.push(
        `payment ${payment.id} (${payment.status}): the provider took ${taken} and refunded ${refunds}; ` +
          `the payment records ${recordedCaptured} captured and ${recordedRefunded} refunded`,
      );
    }
    const kept = ours.filter((c) => c.status === 'captured');
    if (kept.length > 1) violations.push(`payment ${payment.id} keeps ${kept.length} captured charges at the provider`);
    if (refunds.isGreaterThan(taken)) {
      violations.push(`payment ${payment.id}: the provider refunded ${refunds}, more than the ${taken} it took`);
      continue;
    }
    const net = taken.subtract(refunds);
    const amount = Money.fromMinorUnits(BigInt(payment.amount_minor), currency);
    if (payment.status === 'captured' && !net.equals(amount)) {
      violations.push(`payment ${payment.id} is captured but the provider holds ${net} of ${amount}`);
    }
    if ((payment.status === 'cancelled' || payment.status === 'failed') && !net.isZero()) {
      violations.push(`payment ${payment.id} is ${payment.status} but the provider holds ${net}`);
    }
  }
  return violations;
}

async function readPayments(world: MoneyWorld): Promise<PaymentMoney[]> {
  const { rows } = await world.read.query(
    'SELECT id::text AS id, status, currency, amount_minor, captured_minor, refunded_minor FROM payments',
  );
  return rows as PaymentMoney[];
}

/** The provider's charges against each payment's own record (used after every end-to-end test file). */
export async function checkCharges(world: MoneyWorld): Promise<string[]> {
  return reconcileCharges(await providerCharges(world.paymentsUrl), await readPayments(world));
}

/**
 * The row: every payment reconciled with the provider, and no money taken for a payment
 * we have no record of (nothing of ours would ever refund it).
 */
export async function providerChargesRow(world: MoneyWorld): Promise<Omit<InvariantRow, 'name'>> {
  const charges = await providerCharges(world.paymentsUrl);
  const payments = await readPayments(world);
  const violations = reconcileCharges(charges, payments);
  const known = new Set(payments.map((p) => p.id));
  for (const charge of charges) {
    if (!known.has(charge.paymentId) && tookMoney(charge)) {
      violations.push(
        `the provider took ${Money.fromJSON(charge.amount)} (charge ${charge.chargeId}) for payment ${charge.paymentId}, which we never recorded`,
      );
    }
  }
  return { checked: payments.length + charges.length, violations };
}
