import type { Answer } from '../customer-client.ts';
import { windowMs } from '../windows.ts';
import { checkPayoutView, expectStatus, oneWinner, reason, strangerTo, surprise, type Order } from './order-play.ts';
import { outsideGet, outsidePost, pollUntil, sleep, type ScenarioContext } from './scenario-context.ts';

const DELIVERY_FINAL = ['confirmed', 'returned', 'rejected', 'cancelled', 'lost'];

type Move = (as: string, path: string, accept: number[], body?: unknown) => Promise<Answer>;

/**
 * A delivery from the seller's answer to its end, then the seller's payout (or none).
 * After the seller's move the order is played by its status, each party's part once: the
 * carrier scans an accepted order's parcel, the buyer answers a delivered one, and a
 * return (claimed, or a cancellation the carrier refused because the parcel had left) is
 * handed to the carrier and comes back, or not.
 */
export async function playDelivery(ctx: ScenarioContext, order: Order, deliveryId: string): Promise<void> {
  const { client, random } = ctx;
  const { seller, buyer } = order;
  const read = () => client.call(buyer, 'GET', `/deliveries/${deliveryId}`, { accept: [200] });
  let cancelAccepted = false;
  const move: Move = async (as, path, accept, body) => {
    const answer = await client.call(as, 'POST', `/deliveries/${deliveryId}/${path}`, { accept, ...(body ? { body } : {}) });
    if (path === 'cancel' && answer.status === 200) cancelAccepted = true;
    return answer;
  };
  const sagaDone = async () => {
    const saga = await client.call(buyer, 'GET', `/sagas/delivery-fulfilment-${deliveryId}`, { accept: [200, 503] });
    return saga.body?.status === 'completed';
  };
  const wrongActor = async () => {
    const stranger = strangerTo(ctx, order);
    const [as, path, body] = random.pick<[string | undefined, string, unknown]>([
      [buyer, 'accept', undefined],
      [buyer, 'reject', reason(ctx, 'rejection')],
      [seller, 'cancel', undefined],
      [seller, 'confirm', undefined],
      [seller, 'returns', reason(ctx, 'return')],
      [stranger, random.pick(['accept', 'cancel', 'confirm']), undefined],
      [stranger, 'reject', reason(ctx, 'rejection')],
    ]);
    if (!as) return;
    await move(as, path, [403], body);
    ctx.count('order:wrong-actor-refused');
  };
  const meddles = random.percent(30);

  // 1. The seller answers the paid order, or does not.
  const sellerWay = random.weighted({
    accept: 54,
    doubleAccept: 8,
    lateAccept: 6,
    reject: 10,
    silent: 8,
    buyerCancelsFirst: 8,
    cancelRacesBooking: 6,
  });
  ctx.count(`order:seller-${sellerWay}`);
  if (meddles && random.percent(50)) await wrongActor();
  const answerWindow = windowMs('SELLER_RESPONSE_WINDOW');
  await sleep(sellerWay === 'lateAccept' ? random.int(answerWindow - 800, answerWindow + 800) : random.int(0, 1_500));
  switch (sellerWay) {
    case 'accept':
      expectStatus(ctx, await move(seller, 'accept', [200, 409]), ['accepted']);
      break;
    case 'doubleAccept': {
      const answers = await Promise.all([move(seller, 'accept', [200, 409]), move(seller, 'accept', [200, 409])]);
      if (answers[0]!.status !== answers[1]!.status) {
        surprise(ctx, `a double-clicked accept of delivery ${deliveryId} answered ${answers.map((a) => a.status).join(' and ')}`);
      }
      break;
    }
    case 'lateAccept':
      // Around the end of the seller's window: either the accept or the timer's rejection wins.
      await move(seller, 'accept', [200, 409]);
      break;
    case 'reject':
      expectStatus(ctx, await move(seller, 'reject', [200, 409], reason(ctx, 'rejection')), ['rejected']);
      break;
    case 'silent':
      break;
    case 'buyerCancelsFirst': {
      const cancelled = await move(buyer, 'cancel', [200, 409]);
      expectStatus(ctx, cancelled, ['cancelled']);
      // Too late for the seller now: the cancellation decided the order.
      if (cancelled.status === 200) await move(seller, 'accept', [409]);
      break;
    }
    case 'cancelRacesBooking': {
      // The seller accepts; the moment the carrier holds the booking it scans the parcel as shipped, and the buyer
      // cancels at that very moment: whichever the carrier hears first, the order ends cancelled and refunded, or
      // (the parcel had left) comes back as a return.
      const accepted = await move(seller, 'accept', [200, 409]);
      const booked = await bookingAtCarrier(ctx, deliveryId);
      const [cancelled, scanned] = await Promise.all([
        move(buyer, 'cancel', [200, 409]),
        booked ? outsidePost(`${ctx.outside.carrier}/shipments/${booked}/events`, { type: 'package.shipped' }) : undefined,
      ]);
      ctx.count(`order:cancel-racing-booking-${accepted.status}-${cancelled.status}-scan-${scanned?.status ?? 'none'}`);
      break;
    }
  }

  // 2. Then by status: each party plays its part once; the timers do the rest.
  const played = new Set<string>();
  const deadline = Date.now() + answerWindow + 4 * windowMs('SHIPPING_DEADLINE') + 4 * windowMs('DELIVERY_DEADLINE') + 120_000;
  let status = 'unknown';
  while (Date.now() < deadline) {
    const view = await read();
    status = view.status === 200 ? (view.body?.status as string) : 'unknown';
    // An end is the order's once its saga has finished with it: a cancellation the carrier refuses (the parcel had
    // left) still turns into a return.
    if (DELIVERY_FINAL.includes(status) && (await sagaDone())) break;
    if (status === 'accepted' && view.body?.trackingNumber && !played.has('carrier') && !played.has('cancel')) {
      played.add('carrier');
      if (meddles && random.percent(50)) await wrongActor();
      const buyerCancelled = await shipAndDeliver(ctx, order, view.body.trackingNumber as string, move);
      if (buyerCancelled) played.add('cancel');
    } else if (status === 'delivered' && !played.has('answer')) {
      played.add('answer');
      if (meddles) await wrongActor();
      await answerDelivery(ctx, order, deliveryId, move);
    } else if (status === 'return-requested' && view.body?.returnTrackingNumber && !played.has('return')) {
      played.add('return');
      if (cancelAccepted) await playRefusedCancellation(ctx, view.body.trackingNumber as string, view.body.returnTrackingNumber as string);
      else await playReturn(ctx, view.body.returnTrackingNumber as string);
    } else {
      await sleep(300);
    }
  }
  ctx.count(`order:delivery-${status}`);
  if (!DELIVERY_FINAL.includes(status)) return; // the quiescence and invariant rows will say why
  await checkPayoutView(ctx, order, status === 'confirmed' ? order.priceMinor : undefined, `delivery ${deliveryId} ${status}`);
}

/** The carrier's booking of the delivery's parcel, as soon as the carrier holds one (polled for ~6 s); its tracking number. */
async function bookingAtCarrier(ctx: ScenarioContext, deliveryId: string): Promise<string | undefined> {
  const found = await pollUntil(
    () => outsideGet(`${ctx.outside.carrier}/shipments?deliveryId=${deliveryId}`),
    (r) => (r.body?.shipments ?? []).length > 0,
    6_000,
    25,
  );
  return ((found.body?.shipments ?? [])[0] as { trackingNumber: string } | undefined)?.trackingNumber;
}

/**
 * The carrier's part: scans of the outbound parcel (sometimes twice, out of order, or
 * none), and the buyer's cancel before or racing them. Returns whether the buyer's
 * cancellation was accepted (the carrier then scans nothing more).
 */
async function shipAndDeliver(ctx: ScenarioContext, order: Order, trackingNumber: string, move: Move): Promise<boolean> {
  const { random } = ctx;
  const scan = async (type: string) => {
    const times = random.percent(20) ? 2 : 1;
    for (let time = 0; time < times; time++) await outsidePost(`${ctx.outside.carrier}/shipments/${trackingNumber}/events`, { type });
  };
  const buyerWay = random.weighted({ waits: 80, cancelsBeforeShipping: 8, cancelRacesShipping: 12 });
  ctx.count(`order:buyer-${buyerWay}`);
  if (buyerWay === 'cancelsBeforeShipping') {
    await sleep(random.int(0, 1_500));
    const cancelled = await move(order.buyer, 'cancel', [200, 409]);
    expectStatus(ctx, cancelled, ['cancelled']);
    if (cancelled.status === 200) {
      // The booking was cancelled at the carrier first: a scan now is refused (409), and the order stays cancelled.
      await sleep(random.int(0, 2_000));
      const late = await outsidePost(`${ctx.outside.carrier}/shipments/${trackingNumber}/events`, { type: 'package.shipped' });
      ctx.count(`carrier:scan-after-cancel-${late.status}`);
      return true;
    }
  }
  if (buyerWay === 'cancelRacesShipping') {
    await sleep(random.int(0, 1_500));
    const [cancelled] = await Promise.all([move(order.buyer, 'cancel', [200, 409]), scan('package.shipped')]);
    ctx.count(`order:cancel-racing-ship-${cancelled.status}`);
    if (cancelled.status === 200) return true;
    // Shipped first: too late to cancel, the parcel goes on.
    await sleep(random.int(100, 1_500));
    await scan('package.delivered');
    return false;
  }
  const story = random.weighted({ delivered: 66, outOfOrder: 10, lost: 8, returnedToSender: 6, silent: 10 });
  ctx.count(`carrier:${story}`);
  const scans: Record<typeof story, string[]> = {
    delivered: ['package.shipped', 'package.delivered'],
    outOfOrder: ['package.delivered', 'package.shipped'],
    lost: ['package.shipped', 'package.lost'],
    returnedToSender: ['package.shipped', 'package.returned'],
    silent: [],
  };
  for (const type of scans[story]) {
    await sleep(random.int(100, 1_500));
    await scan(type);
  }
  if (story !== 'silent' && random.percent(10)) {
    // The buyer tries to cancel once it is under way: 409, whatever the scans did.
    await sleep(500);
    await move(order.buyer, 'cancel', [409]);
  }
  return false;
}

/** The buyer's answer to a delivered order: confirm (once or twice), claim a return (maybe racing a confirm), or nothing. */
async function answerDelivery(ctx: ScenarioContext, order: Order, deliveryId: string, move: Move): Promise<void> {
  const { random } = ctx;
  const { buyer } = order;
  await sleep(random.int(0, 1_500));
  const way = random.weighted({
    confirm: 28,
    doubleConfirm: 8,
    claimReturn: 22,
    confirmRacesReturn: 10,
    autoConfirm: 25,
    cancelTooLate: 7,
  });
  ctx.count(`order:buyer-${way}`);
  switch (way) {
    case 'confirm':
      expectStatus(ctx, await move(buyer, 'confirm', [200]), ['confirmed']);
      return;
    case 'doubleConfirm': {
      const answers = await Promise.all([move(buyer, 'confirm', [200]), move(buyer, 'confirm', [200])]);
      for (const answer of answers) expectStatus(ctx, answer, ['confirmed']);
      return;
    }
    case 'claimReturn': {
      // The confirmation window may have closed while a fault held the request up: then 409.
      const claims = await Promise.all(
        random.percent(20)
          ? [move(buyer, 'returns', [200, 409], reason(ctx, 'return')), move(buyer, 'returns', [200, 409], reason(ctx, 'return'))]
          : [move(buyer, 'returns', [200, 409], reason(ctx, 'return'))],
      );
      for (const claim of claims) expectStatus(ctx, claim, ['return-requested']);
      return;
    }
    case 'confirmRacesReturn': {
      const answers = await Promise.all([move(buyer, 'confirm', [200, 409]), move(buyer, 'returns', [200, 409], reason(ctx, 'return'))]);
      const winner = oneWinner(ctx, `confirm racing a return claim on delivery ${deliveryId}`, answers, [409]);
      ctx.count(`order:race-won-by-${winner === answers[1] ? 'return' : 'confirm'}`);
      return;
    }
    case 'autoConfirm':
      return;
    case 'cancelTooLate':
      await move(buyer, 'cancel', [409]);
      return;
  }
}

/**
 * A cancellation the carrier refused (the parcel had left): the outbound parcel comes back
 * to the seller or is lost on the way, or reaches the buyer, who sends it back, or the
 * carrier says nothing more of it.
 */
async function playRefusedCancellation(ctx: ScenarioContext, trackingNumber: string, returnTrackingNumber: string): Promise<void> {
  const { random } = ctx;
  const story = random.weighted({ backToSender: 35, lostOnTheWay: 10, deliveredThenReturned: 30, nothingMore: 25 });
  ctx.count(`refused-cancellation:${story}`);
  const scan = (tracking: string, type: string) => outsidePost(`${ctx.outside.carrier}/shipments/${tracking}/events`, { type });
  await sleep(random.int(200, 2_000));
  if (story === 'backToSender') await scan(trackingNumber, 'package.returned');
  if (story === 'lostOnTheWay') await scan(trackingNumber, 'package.lost');
  if (story === 'deliveredThenReturned') {
    await scan(trackingNumber, 'package.delivered');
    await sleep(random.int(200, 2_000));
    await scan(returnTrackingNumber, 'package.returned');
  }
}

/** The return's way back: the carrier reports it returned (or delivered back), lost, or never hears of it (it lapses: confirmed). */
async function playReturn(ctx: ScenarioContext, returnTrackingNumber: string): Promise<void> {
  const { random } = ctx;
  const story = random.weighted({ returned: 55, deliveredBack: 15, lost: 15, neverHandedOver: 15 });
  ctx.count(`return:${story}`);
  const type = { returned: 'package.returned', deliveredBack: 'package.delivered', lost: 'package.lost', neverHandedOver: undefined }[
    story
  ];
  if (!type) return; // the return's deadline passes; the carrier's record (booked) makes it lapse: confirmed
  await sleep(random.int(200, 2_000));
  if (random.percent(30)) await outsidePost(`${ctx.outside.carrier}/shipments/${returnTrackingNumber}/events`, { type: 'package.shipped' });
  for (let time = 0, times = random.percent(20) ? 2 : 1; time < times; time++) {
    await outsidePost(`${ctx.outside.carrier}/shipments/${returnTrackingNumber}/events`, { type });
  }
}
