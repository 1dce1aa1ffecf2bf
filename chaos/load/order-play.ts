import type { Answer } from '../customer-client.ts';
import { basisPoints, CHAOS_WINDOWS, feeOf, windowMs } from '../windows.ts';
import { pollUntil, type ScenarioContext } from './scenario-context.ts';

/**
 * The order after payment (issue 13), played through the public API by its two parties,
 * with the carrier as the outside world: the seller answers (or not), the buyer cancels,
 * confirms or sends it back (or lets the timer confirm), vouchers are redeemed, cancelled
 * or left to expire. Races are played on purpose (a cancel against the carrier's scan, a
 * confirm against a return claim, a cancel against a redeem, the same move twice at once)
 * and so are moves by the wrong actor (403 whatever the state). Each call names the
 * answers the contract allows; where two racing moves can only have one winner, two
 * winners (or none) is a surprise too. At the end the seller's payouts view must show
 * what the order's end implies.
 */

const FEE_BASIS_POINTS = basisPoints(CHAOS_WINDOWS.PLATFORM_FEE);
export const reason = (ctx: ScenarioContext, what: string) => ({ reason: `chaos ${what} #${ctx.random.int(1, 1_000_000)}` });

export interface Order {
  seller: string;
  buyer: string;
  auctionId: string;
  /** What the buyer paid, in minor units, and its currency. */
  priceMinor: bigint;
  currency: string;
}

/** A surprise the harness saw beyond one answer's status: two winners of one race, a view that contradicts the move. */
export function surprise(ctx: ScenarioContext, what: string): void {
  ctx.client.tally.surprises.push(what);
}

/** Of two racing moves only one may win (200); the other must be refused with one of `losers`. */
export function oneWinner(ctx: ScenarioContext, what: string, answers: Answer[], losers: number[]): Answer | undefined {
  const winners = answers.filter((a) => a.status === 200);
  if (winners.length !== 1 || answers.some((a) => a.status !== 200 && !losers.includes(a.status))) {
    surprise(ctx, `${what}: exactly one should win, answers were ${answers.map((a) => a.status).join(' and ')}`);
  }
  return winners[0];
}

export function strangerTo(ctx: ScenarioContext, order: Order): string | undefined {
  const others = ctx.customers.filter((c) => c !== order.seller && c !== order.buyer);
  return others.length > 0 ? ctx.random.pick(others) : undefined;
}

/** A 200 to a move answers with the resource after it: its status must be one the move can leave. */
export function expectStatus(ctx: ScenarioContext, answer: Answer, statuses: string[]): void {
  if (answer.status === 200 && !statuses.includes(answer.body?.status)) {
    surprise(
      ctx,
      `a move answered 200 with status ${answer.body?.status} (expected ${statuses.join(' or ')}): ${JSON.stringify(answer.body).slice(0, 200)}`,
    );
  }
}

/**
 * The seller's payouts view once the order has ended: a sale that stands shows one payout
 * for the auction, paid `SETTLEMENT_DELAY` after it, of `grossMinor` less the fee; a
 * refunded order shows none.
 */
export async function checkPayoutView(ctx: ScenarioContext, order: Order, grossMinor: bigint | undefined, what: string): Promise<void> {
  const list = () => ctx.client.call(order.seller, 'GET', `/customers/${order.seller}/payouts`, { accept: [200] });
  const ofAuction = (answer: Answer) =>
    ((answer.body?.payouts ?? []) as { auctionId: string; status: string; gross: Money; fee: Money; net: Money }[]).filter(
      (p) => p.auctionId === order.auctionId,
    );
  if (ctx.random.percent(10)) await ctx.client.call(order.buyer, 'GET', `/customers/${order.seller}/payouts`, { accept: [403] });
  if (grossMinor === undefined) {
    const payouts = ofAuction(await list());
    if (payouts.length > 0) surprise(ctx, `${what}: the buyer was refunded, yet the seller's payouts list ${JSON.stringify(payouts)}`);
    return;
  }
  const seen = await pollUntil(
    list,
    (a) => a.status !== 200 || ofAuction(a).some((p) => p.status === 'paid'),
    windowMs('SETTLEMENT_DELAY') + 90_000,
    500,
  );
  const payouts = ofAuction(seen);
  const fee = feeOf(grossMinor, FEE_BASIS_POINTS);
  const expected = {
    gross: minorOf(grossMinor, order.currency),
    fee: minorOf(fee, order.currency),
    net: minorOf(grossMinor - fee, order.currency),
  };
  const payout = payouts[0];
  if (payouts.length !== 1 || payout?.status !== 'paid') {
    surprise(ctx, `${what}: expected one paid payout of auction ${order.auctionId}, the seller's payouts list ${JSON.stringify(payouts)}`);
  } else if (
    payout.gross.amount !== expected.gross ||
    payout.fee.amount !== expected.fee ||
    payout.net.amount !== expected.net ||
    payout.gross.currency !== order.currency
  ) {
    surprise(ctx, `${what}: payout ${JSON.stringify(payout)}, expected gross/fee/net ${JSON.stringify(expected)} ${order.currency}`);
  }
  ctx.count('payout:seen-paid');
}

interface Money {
  amount: string;
  currency: string;
}

/** Minor units as the API writes the amount: `1234` cents → `12.34`. */
export function minorOf(minor: bigint, currency: string): string {
  if (currency === 'SAT') return minor.toString();
  const cents = minor.toString().padStart(3, '0');
  return `${cents.slice(0, -2)}.${cents.slice(-2)}`;
}
