import { checkLedger } from '../../src/accounting/queries.ts';
import { escrowViolations } from './escrow.ts';
import { orderMoneyViolations } from './order-money.ts';
import { readOrders } from './orders.ts';
import { payoutLedgerViolations, readCardMoneyLedger } from './payout-ledger.ts';
import { postingViolations } from './ledger.ts';
import { checkLightningPayments } from './node-payments.ts';
import { checkCharges } from './provider-charges.ts';
import { reservedViolations } from './reservations.ts';
import type { MoneyWorld } from './world.ts';

/**
 * The money invariants of docs/design.md, property 11, checked against the outside world's own
 * records (the simulators) and our books. Each returns the violations it found, as
 * sentences; an empty list means the money is where it should be. After every
 * end-to-end test file the platform waits for `moneyViolations` to come back empty; the
 * chaos harness shows the same checks, and more, as rows (check-invariants.ts).
 */
export type { MoneyWorld } from './world.ts';
export { checkCharges } from './provider-charges.ts';
export { checkLightningPayments } from './node-payments.ts';

/** Every posting sums to zero; every account agrees with its entries and held reservations; every escrow with its donations. */
export async function checkBooks(world: MoneyWorld): Promise<string[]> {
  const ledger = await checkLedger(world.read);
  return [...postingViolations(ledger), ...reservedViolations(ledger), ...(await escrowViolations(world.read))];
}

/** Every final order: refunds + payout = captured, and the payouts' postings = the payouts. */
export async function checkOrders(world: MoneyWorld): Promise<string[]> {
  const { orders, payouts } = await readOrders(world.read, world.paymentsUrl);
  const { postings, balances } = await readCardMoneyLedger(world.read);
  return [...orderMoneyViolations(orders, payouts, world.feeBasisPoints), ...payoutLedgerViolations(payouts, postings, balances)];
}

export async function moneyViolations(world: MoneyWorld): Promise<string[]> {
  return [
    ...(await checkCharges(world)),
    ...(await checkLightningPayments(world)),
    ...(await checkBooks(world)),
    ...(await checkOrders(world)),
  ];
}
