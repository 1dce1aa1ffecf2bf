import { outsideGet, outsidePost, pollUntil, sleep, type ScenarioContext } from './scenario-context.ts';

const usd = (cents: number) => ({ amount: (cents / 100).toFixed(2), currency: 'USD' });
const FINAL = ['paid', 'refunded', 'unpaid', 'cancelled'];

/**
 * One auction from listing to the end of its fulfilment, played by a seller and two to
 * four bidders drawn from the customers: racing bids, an early or a natural end, a
 * winner who pays in one of several ways (or never), then the carrier's scans or the
 * voucher's redemption. Every step goes through the public API; only the outside world
 * (the carrier scanning, the provider deciding a held card) uses the simulators.
 */
export async function auctionScenario(ctx: ScenarioContext): Promise<void> {
  const { client, random } = ctx;
  const [seller, ...bidders] = pickDistinct(ctx, random.int(3, 5));
  const fulfilment = random.percent(60) ? 'delivery' : 'service';
  const startCents = random.int(100, 5_000);
  const created = await client.call(seller, 'POST', '/auctions', {
    body: {
      title: `chaos lot ${random.int(1, 1_000_000)}`,
      startingPrice: usd(startCents),
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
          body: { amount: usd(current + random.int(1, 500)) },
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
  if (settled.body?.deliveryId) await deliver(ctx, parties, settled.body.deliveryId as string);
  if (settled.body?.serviceId) await redeem(ctx, parties, settled.body.serviceId as string);
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

/** The carrier's scans of the parcel, sometimes twice, sometimes out of order, sometimes none at all. */
async function deliver(ctx: ScenarioContext, parties: string[], deliveryId: string): Promise<void> {
  const { client, random } = ctx;
  const [, buyer] = parties;
  ctx.made({ kind: 'delivery', id: deliveryId, parties });
  ctx.made({ kind: 'saga', id: `delivery-fulfilment-${deliveryId}`, parties });
  const booked = await pollUntil(
    () => client.call(buyer, 'GET', `/deliveries/${deliveryId}`, { accept: [200, 404] }),
    (d) => Boolean(d.body?.trackingNumber),
    60_000,
  );
  const trackingNumber = booked.body?.trackingNumber as string | undefined;
  if (!trackingNumber) return;
  const story = random.weighted({ delivered: 50, lost: 12, returned: 13, silent: 10, outOfOrder: 15 });
  ctx.count(`delivery:${story}`);
  const scans: Record<typeof story, string[]> = {
    delivered: ['package.shipped', 'package.delivered'],
    lost: ['package.shipped', 'package.lost'],
    returned: ['package.shipped', 'package.returned'],
    silent: [],
    outOfOrder: ['package.delivered', 'package.shipped'],
  };
  for (const type of scans[story]) {
    await sleep(random.int(100, 2_000));
    const times = random.percent(25) ? 2 : 1;
    for (let time = 0; time < times; time++) {
      await outsidePost(`${ctx.outside.carrier}/shipments/${trackingNumber}/events`, { type });
    }
  }
}

/** The buyer redeems the voucher, sometimes double-clicking, sometimes never. */
async function redeem(ctx: ScenarioContext, parties: string[], serviceId: string): Promise<void> {
  const { client, random } = ctx;
  const [, buyer] = parties;
  ctx.made({ kind: 'service', id: serviceId, parties });
  ctx.made({ kind: 'saga', id: `service-fulfilment-${serviceId}`, parties });
  const way = random.weighted({ once: 60, doubleClick: 25, never: 15 });
  ctx.count(`voucher:${way}`);
  if (way === 'never') return;
  const redeemOnce = () => client.call(buyer, 'POST', `/services/${serviceId}/redeem`, { accept: [200, 409] });
  await Promise.all(way === 'once' ? [redeemOnce()] : [redeemOnce(), redeemOnce()]);
}

function pickDistinct(ctx: ScenarioContext, count: number): string[] {
  const chosen = new Set<string>();
  while (chosen.size < Math.min(count, ctx.customers.length)) chosen.add(ctx.random.pick(ctx.customers));
  return [...chosen];
}
