import { AUCTIONS, CAMPAIGNS, DELIVERIES, PAYMENTS, SERVICES, WITHDRAWALS } from './aggregate-rules.ts';
import { aggregateStateRow, gatherFacts } from './aggregate-states.ts';
import { EMAILS_ROW, emailsRow } from './emails.ts';
import { ESCROW_ROW, escrowRow } from './escrow.ts';
import { EVENT_VERSIONS_ROW, eventVersionsRow } from './event-versions.ts';
import { guardedRow, type InvariantRow } from './invariant-row.ts';
import { POSTINGS_ROW, postingsRow } from './ledger.ts';
import { NODE_PAYMENTS_ROW, nodePaymentsRow } from './node-payments.ts';
import { ORDER_EVENTS_ROW, orderEventsRow } from './order-events.ts';
import { ORDER_MONEY_ROW, orderMoneyRow } from './order-money.ts';
import { ORDER_OUTCOMES_ROW, orderOutcomesRow } from './order-outcomes.ts';
import { OUTBOX_ROW, outboxRow } from './outbox.ts';
import { PAYOUT_LEDGER_ROW, payoutLedgerRow } from './payout-ledger.ts';
import { PROVIDER_CHARGES_ROW, providerChargesRow } from './provider-charges.ts';
import { RESERVATIONS_ROW, reservationsRow } from './reservations.ts';
import { SAGA_HEALTH_ROW, sagaHealthRow } from './saga-health.ts';
import type { InvariantWorld } from './world.ts';

/**
 * The invariants of issue 10, one row each, checked once the run is quiescent: money
 * (books, reservations, provider, node, and since issue 13 each order's refunds and
 * payout against its capture, and the payouts against the ledger), every aggregate
 * against its sagas, each ended order against its payment, auction and saga outcome, each
 * order's history against its state machine, the sagas themselves, e-mails, the outbox
 * and the event store. Rows are read-only and
 * independent, so they run side by side; a check that throws is reported as its row's
 * violation, never as a thrown error.
 */
export async function checkInvariants(world: InvariantWorld): Promise<InvariantRow[]> {
  const facts = gatherFacts(world);
  facts.catch(() => undefined); // each aggregate row reports the failure itself
  return Promise.all([
    guardedRow(POSTINGS_ROW, () => postingsRow(world.read)),
    guardedRow(RESERVATIONS_ROW, () => reservationsRow(world.read)),
    guardedRow(ESCROW_ROW, () => escrowRow(world.read)),
    guardedRow(PROVIDER_CHARGES_ROW, () => providerChargesRow(world)),
    guardedRow(NODE_PAYMENTS_ROW, () => nodePaymentsRow(world)),
    guardedRow(ORDER_MONEY_ROW, () => orderMoneyRow(world)),
    guardedRow(PAYOUT_LEDGER_ROW, () => payoutLedgerRow(world.read)),
    guardedRow(AUCTIONS.row, async () => aggregateStateRow(AUCTIONS, world, await facts)),
    guardedRow(PAYMENTS.row, async () => aggregateStateRow(PAYMENTS, world, await facts)),
    guardedRow(DELIVERIES.row, async () => aggregateStateRow(DELIVERIES, world, await facts)),
    guardedRow(SERVICES.row, async () => aggregateStateRow(SERVICES, world, await facts)),
    guardedRow(WITHDRAWALS.row, async () => aggregateStateRow(WITHDRAWALS, world, await facts)),
    guardedRow(CAMPAIGNS.row, async () => aggregateStateRow(CAMPAIGNS, world, await facts)),
    guardedRow(ORDER_OUTCOMES_ROW, () => orderOutcomesRow(world)),
    guardedRow(ORDER_EVENTS_ROW, () => orderEventsRow(world.read)),
    guardedRow(SAGA_HEALTH_ROW, () => sagaHealthRow(world.temporal, world.taskQueue)),
    guardedRow(EMAILS_ROW, () => emailsRow(world.read)),
    guardedRow(OUTBOX_ROW, () => outboxRow(world.read)),
    guardedRow(EVENT_VERSIONS_ROW, () => eventVersionsRow(world.read)),
  ]);
}
