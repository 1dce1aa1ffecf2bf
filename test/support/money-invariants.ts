import { checkLedger } from '../../src/accounting/queries.ts';
import { Money, type Currency, type MoneyJson } from '../../src/kernel/money.ts';
import type { Sql } from '../../src/platform/db/pools.ts';

/**
 * The money invariants of DESIGN property 11, checked against the outside world's own
 * records (the simulators) and our books. Each returns the violations it found, as
 * sentences; an empty list means the money is where it should be.
 */
export interface MoneyWorld {
  read: Sql;
  paymentsUrl: string;
  lightningUrl: string;
}

interface ProviderCharge {
  chargeId: string;
  paymentId: string;
  amount: MoneyJson;
  status: string;
  refunds: { refundId: string; amount: MoneyJson }[];
}

/**
 * Provider charges taken minus refunds = what each payment records as captured minus
 * refunded; a payment keeps at most one capture; a `captured` payment is paid in full.
 */
export async function checkCharges(world: MoneyWorld): Promise<string[]> {
  const { charges } = (await (await fetch(`${world.paymentsUrl}/charges`)).json()) as { charges: ProviderCharge[] };
  const { rows } = await world.read.query(
    'SELECT id, status, currency, amount_minor, captured_minor, refunded_minor, provider_charge_id FROM payments',
  );
  const violations: string[] = [];
  for (const payment of rows) {
    const currency = payment.currency as Currency;
    const sum = (list: MoneyJson[]) => list.reduce<Money>((total, m) => total.add(Money.fromJSON(m)), Money.zero(currency));
    const ours = charges.filter((c) => c.paymentId === payment.id);
    const taken = sum(ours.filter((c) => c.status === 'captured' || c.status === 'refunded').map((c) => c.amount));
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

/** Node payments that succeeded = paid withdrawals, one each; a failed one is never paid, a pending one holds its funds. */
export async function checkLightningPayments(world: MoneyWorld): Promise<string[]> {
  const { payments } = (await (await fetch(`${world.lightningUrl}/payments`)).json()) as {
    payments: { paymentHash: string; withdrawalId: string; status: string }[];
  };
  const { rows } = await world.read.query('SELECT id, status, payment_hash FROM withdrawals');
  const violations: string[] = [];
  const byHash = new Map(payments.map((p) => [p.paymentHash, p]));
  for (const withdrawal of rows) {
    const atNode = byHash.get(withdrawal.payment_hash);
    const nodeStatus = atNode?.status ?? 'none';
    const consistent =
      (withdrawal.status === 'paid' && nodeStatus === 'succeeded') ||
      (withdrawal.status === 'failed' && nodeStatus !== 'succeeded' && nodeStatus !== 'pending') ||
      (withdrawal.status === 'accepted' && nodeStatus !== 'succeeded' && nodeStatus !== 'failed') ||
      ((withdrawal.status === 'rejected' || withdrawal.status === 'pending') && nodeStatus === 'none');
    if (!consistent) violations.push(`withdrawal ${withdrawal.id} is ${withdrawal.status} while the node's payment is ${nodeStatus}`);
  }
  const ourHashes = new Set(rows.map((w) => w.payment_hash));
  for (const payment of payments) {
    if (payment.status === 'succeeded' && !ourHashes.has(payment.paymentHash)) {
      violations.push(`the node paid ${payment.paymentHash}, which no withdrawal of ours asked for`);
    }
  }
  return violations;
}

/** Every posting sums to zero; every account agrees with its entries and held reservations. */
export async function checkBooks(world: MoneyWorld): Promise<string[]> {
  const ledger = await checkLedger(world.read);
  return [
    ...ledger.unbalancedPostings.map((p) => `posting does not sum to zero: ${JSON.stringify(p)}`),
    ...ledger.driftingAccounts.map((a) => `account drifts from its entries: ${JSON.stringify(a)}`),
    ...ledger.misreservedAccounts.map((a) => `account's reserved differs from its held reservations: ${JSON.stringify(a)}`),
  ];
}

export async function moneyViolations(world: MoneyWorld): Promise<string[]> {
  return [...(await checkCharges(world)), ...(await checkLightningPayments(world)), ...(await checkBooks(world))];
}
