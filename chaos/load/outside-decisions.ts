import type { Random } from '../random.ts';
import { outsideGet, outsidePost, type ScenarioContext } from './scenario-context.ts';

/**
 * When the load stops, the outside world decides what it still holds, as it would in
 * time: a held card is captured or declined, a held lightning payment settled or
 * cancelled. Scenarios decide their own holds; this catches the ones a scenario broke
 * off before deciding, so no saga waits on a decision nobody will make.
 */
export async function decideWhatTheOutsideStillHolds(outside: ScenarioContext['outside'], random: Random): Promise<string[]> {
  const decided: string[] = [];
  const { body: providerList } = await outsideGet(`${outside.payments}/charges`);
  for (const charge of (providerList?.charges ?? []) as { chargeId: string; status: string; cardToken?: string }[]) {
    if (charge.status !== 'pending' || charge.cardToken !== 'tok_hold') continue;
    const decision = random.percent(70) ? 'capture' : 'decline';
    const answer = await outsidePost(`${outside.payments}/charges/${charge.chargeId}/${decision}`);
    if (answer.status === 200) decided.push(`charge ${charge.chargeId}: ${decision}`);
  }
  const { body: nodeList } = await outsideGet(`${outside.lightning}/payments`);
  for (const payment of (nodeList?.payments ?? []) as { paymentHash: string; status: string }[]) {
    if (payment.status !== 'pending') continue;
    const decision = random.percent(70) ? 'settle' : 'cancel';
    // A `hang` payment is not held: the node refuses the decision (409) and lets it expire.
    const answer = await outsidePost(`${outside.lightning}/payments/${payment.paymentHash}/${decision}`);
    if (answer.status === 200) decided.push(`lightning payment ${payment.paymentHash}: ${decision}`);
  }
  return decided;
}
