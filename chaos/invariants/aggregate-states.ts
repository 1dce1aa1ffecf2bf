import type { AggregateKind } from './aggregate-rules.ts';
import type { InvariantRow } from './invariant-row.ts';
import { sagaStateLookup } from './saga-status.ts';
import { nodePayments, providerCharges, type ProviderCharge } from './simulator-records.ts';
import { unmetNeeds, type Facts } from './status-rules.ts';
import type { InvariantWorld } from './world.ts';

/**
 * Gathers, once for all kinds, what the rules consult besides the records: each saga's
 * state (looked up on demand, once per id), the provider's charges, the node's payments
 * and the payments' statuses.
 */
export async function gatherFacts(world: InvariantWorld): Promise<Facts> {
  const [charges, payments, paymentRows] = await Promise.all([
    providerCharges(world.paymentsUrl),
    nodePayments(world.lightningUrl),
    world.read.query('SELECT id::text AS id, status FROM payments'),
  ]);
  const chargesByPayment = new Map<string, ProviderCharge[]>();
  for (const charge of charges) chargesByPayment.set(charge.paymentId, [...(chargesByPayment.get(charge.paymentId) ?? []), charge]);
  const paymentByHash = new Map(payments.map((p) => [p.paymentHash, p]));
  const paymentStatus = new Map<string, string>(paymentRows.rows.map((r) => [r.id, r.status]));
  return {
    saga: sagaStateLookup(world.temporal),
    chargesOf: (paymentId) => chargesByPayment.get(paymentId) ?? [],
    nodePayment: (paymentHash) => paymentByHash.get(paymentHash),
    paymentStatus: (paymentId) => paymentStatus.get(paymentId),
  };
}

/** One kind's row: every record's status checked against its rule; a status without a rule is a violation too. */
export async function aggregateStateRow<R extends { id: string; status: string }>(
  kind: AggregateKind<R>,
  world: InvariantWorld,
  facts: Facts,
): Promise<Omit<InvariantRow, 'name'>> {
  const { rows } = await world.read.query(kind.select);
  const records = rows as R[];
  const verdicts = await Promise.all(
    records.map(async (record): Promise<string[]> => {
      const state = kind.stateOf(record);
      const rule = Object.hasOwn(kind.rules, state) ? kind.rules[state] : undefined;
      if (!rule) return [`${kind.noun} ${record.id} is ${state}, a status the rule table does not know`];
      const unmet = await unmetNeeds(rule, record, facts);
      return unmet.length === 0 ? [] : [`${kind.noun} ${record.id} is ${state}: ${unmet.join('; ')}`];
    }),
  );
  return { checked: records.length, violations: verdicts.flat() };
}
