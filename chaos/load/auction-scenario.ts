import { playDelivery } from './delivery-play.ts';
import type { Order } from './order-play.ts';
import { playVoucher } from './voucher-play.ts';
import { outsideGet, outsidePost, pollUntil, sleep, type ScenarioContext } from './scenario-context.ts';

const money = (cents: number, currency: string) => ({ amount: (cents / 100).toFixed(2), currency });
const FINAL = ['paid', 'refunded', 'unpaid', 'cancelled'];

/**
 * One auction from listing to the end of its fulfilment, played by a seller and two to
 * four bidders drawn from the customers: racing bids, an early or a natural end, a
 * winner who pays in one of several ways (or never), then the order after payment
 * (delivery-play.ts, voucher-play.ts: the seller's answer, the carrier, the buyer's confirmation or return,
 * the voucher's redemption, cancellation or expiry, the seller's payout). Most lots are
 * in dollars, some in euros. Every step goes through the public API; only the outside
 * world (the carrier scanning, the provider deciding a held card) uses the simulators.
 */
export async function auctionScenario(ctx: ScenarioContext): Promise<void> {
  const { client, random } = ctx;
  const [seller, ...bidders] = pickDistinct(ctx, random.int(3, 5));
  const fulfilment = random.percent(60) ? 'delivery' : 'service';
  const currency = random.percent(25) ? 'EUR' : 'USD';
  const startCents = random.int(100, 5_000);
  const created = await client.call(seller, 'POST', '/auctions', {
    body: {
      title: `chaos lot ${random.int(1, 1_000_000)}`,
      startingPrice: money(startCents, currency),
      endsAt: new Date(Date.now() + random.int(3_000, 10_000)).toISOString(),
      fulfilment,
    },
    // Auctions here end seconds after they are created, so a create retried through an
    // API or Postgres restart may arrive after its own end: that 400 is right, and only that one.
    accept: [201, 400],
  });
  if (created.status === 400) {
    const endedWhileRetrying = created.body?.errors?.some((e: { path?: string }) => e.path === 'endsAt') === true;
    if (!endedWhileRetrying) client.tally.surprises.push(`POST /auctions as ${seller}: 400 ${JSON.stringify(created.body).slice(0, 300)}`);
    ctx.count(endedWhileRetrying ? 'auction:ended-before-created' : 'auction:refused');
    return;
  }
  if (created.status !== 201) return;
  const auctionId = created.body.id as string;
  // Its parties are the seller and whoever bid; every bidder counts here, so an IDOR probe never picks one.
  ctx.made({ kind: 'auction', id: auctionId, parties: [seller!, ...bidders] });
  ctx.made({ kind: 'saga', id: `auction-closing-${auctionId}`, parties: [seller!, ...bidders] });

  // Racing bids: each bidder bids on what it last saw, all at once; many lose the race (422) or come late (409).
  await Promise.all(
    bidders.map(async (bidder) => {
      for (let bid = 0, rounds = random.int(1, 3); bid < rounds; bid++) {
        const seen = await client.call(undefined, 'GET', `/auctions/${auctionId}`, { accept: [200] });
        if (seen.body?.status !== 'open') return;
        const current = Math.round(Number(seen.body.currentPrice.amount) * 100);
        await client.call(bidder, 'POST', `/auctions/${auctionId}/bids`, {
          body: { amount: money(current + random.int(1, 500), currency) },
          accept: [201, 409, 422],
        });
      }
    }),
  );
  if (random.percent(40)) {
    await sleep(random.int(0, 1_500));
    await client.call(seller, 'POST', `/auctions/${auctionId}/end`, { accept: [200, 202, 409] });
    ctx.count('auction:ended-early');
  } else {
    ctx.count('auction:ended-naturally');
  }
  const ended = await pollUntil(
    () => client.call(undefined, 'GET', `/auctions/${auctionId}`, { accept: [200] }),
    (a) => a.body?.status !== 'open' && (a.body?.winnerId == null || Boolean(a.body?.paymentId)),
    60_000,
  );
  const winner = ended.body?.winnerId as string | undefined;
  const paymentId = ended.body?.paymentId as string | undefined;
  if (!winner || !paymentId) {
    ctx.count('auction:no-winner');
    return;
  }
  const parties = [seller!, winner];
  ctx.made({ kind: 'payment', id: paymentId, parties });
  ctx.made({ kind: 'saga', id: `paying-for-won-item-${auctionId}`, parties });

  const paid = await payAsWinner(ctx, winner, paymentId);
  ctx.count(`payment:${paid}`);
  const settled = await pollUntil(
    () => client.call(undefined, 'GET', `/auctions/${auctionId}`, { accept: [200] }),
    (a) => FINAL.includes(a.body?.status) && (a.body?.status !== 'paid' || Boolean(a.body?.deliveryId ?? a.body?.serviceId)),
    90_000,
    500,
  );
  const fulfilmentId = (settled.body?.deliveryId ?? settled.body?.serviceId) as string | undefined;
  if (!fulfilmentId) return;
  const payment = await client.call(winner, 'GET', `/payments/${paymentId}`, { accept: [200] });
  if (payment.status !== 200) return;
  const price = payment.body.amount as { amount: string; currency: string };
  const order: Order = {
    seller: seller!,
    buyer: winner,
    auctionId,
    priceMinor: BigInt(price.amount.replace('.', '')),
    currency: price.currency,
  };
  const kind = settled.body?.deliveryId ? 'delivery' : 'service';
  ctx.made({ kind, id: fulfilmentId, parties });
  ctx.made({ kind: 'saga', id: `${kind}-fulfilment-${fulfilmentId}`, parties });
  if (kind === 'delivery') await playDelivery(ctx, order, fulfilmentId);
  else await playVoucher(ctx, order, fulfilmentId);
}

/** The winner's way of paying; returns what it did. */
async function payAsWinner(ctx: ScenarioContext, winner: string, paymentId: string): Promise<string> {
  const { client, random } = ctx;
  const charge = (cardToken: string) =>
    client.call(winner, 'POST', `/payments/${paymentId}/charge`, { body: { cardToken }, accept: [202, 409, 422] });
  const settledAttempt = () =>
    pollUntil(
      () => client.call(winner, 'GET', `/payments/${paymentId}`, { accept: [200] }),
      (p) => p.body?.status !== 'charging' && p.body?.status !== 'new' && p.body?.status !== 'charged',
      30_000,
    );
  const way = random.weighted({ visa: 35, declinedThenVisa: 15, hold: 15, doubleClick: 15, never: 10, declinedOnly: 10 });
  switch (way) {
    case 'visa':
      await charge('tok_visa');
      break;
    case 'declinedThenVisa':
      await charge('tok_chargeDeclined');
      await settledAttempt();
      await charge('tok_visa');
      break;
    case 'hold': {
      const answer = await charge('tok_hold');
      if (answer.status === 202) {
        const decision = await decideHeldCharge(ctx, paymentId);
        if (decision === 'decline') {
          await settledAttempt();
          await charge('tok_visa');
        }
        return `hold-${decision}`;
      }
      break;
    }
    case 'doubleClick':
      await Promise.all([charge('tok_visa'), charge('tok_visa'), ...(random.percent(30) ? [charge('tok_visa')] : [])]);
      break;
    case 'never':
      break;
    case 'declinedOnly':
      for (let attempt = 0; attempt < 5; attempt++) {
        if ((await charge('tok_chargeDeclined')).status === 422) break;
        await settledAttempt();
      }
      break;
  }
  return way;
}

/** Plays the provider deciding a held card after a while: capture most of the time, decline otherwise. */
async function decideHeldCharge(ctx: ScenarioContext, paymentId: string): Promise<string> {
  const listed = await pollUntil(
    () => outsideGet(`${ctx.outside.payments}/charges?paymentId=${paymentId}`),
    (r) => (r.body?.charges ?? []).some((c: { status: string }) => c.status === 'pending'),
    30_000,
  );
  const pending = (listed.body?.charges ?? []).find((c: { status: string }) => c.status === 'pending');
  if (!pending) return 'never-arrived';
  await sleep(ctx.random.int(500, 6_000));
  const decision = ctx.random.percent(70) ? 'capture' : 'decline';
  await outsidePost(`${ctx.outside.payments}/charges/${pending.chargeId}/${decision}`);
  return decision;
}

function pickDistinct(ctx: ScenarioContext, count: number): string[] {
  const chosen = new Set<string>();
  while (chosen.size < Math.min(count, ctx.customers.length)) chosen.add(ctx.random.pick(ctx.customers));
  return [...chosen];
}
