import { expiredVoucherRefundOf, windowMs } from '../windows.ts';
import { checkPayoutView, expectStatus, strangerTo, surprise, type Order } from './order-play.ts';
import { pollUntil, sleep, type ScenarioContext } from './scenario-context.ts';

/** A voucher from issue to its end, then the seller's payout (or none). */
export async function playVoucher(ctx: ScenarioContext, order: Order, serviceId: string): Promise<void> {
  const { client, random } = ctx;
  const { seller, buyer } = order;
  const read = () => client.call(buyer, 'GET', `/services/${serviceId}`, { accept: [200] });
  const redeem = (accept: number[], as = buyer) => client.call(as, 'POST', `/services/${serviceId}/redeem`, { accept });
  const cancel = (accept: number[], as = buyer) => client.call(as, 'POST', `/services/${serviceId}/cancel`, { accept });
  const cancelWindow = windowMs('VOUCHER_CANCEL_WINDOW');
  const validity = windowMs('VOUCHER_VALIDITY');

  if (random.percent(25)) {
    const stranger = strangerTo(ctx, order);
    const as = random.percent(50) || !stranger ? seller : stranger;
    await (random.percent(50) ? redeem([403], as) : cancel([403], as));
    ctx.count('voucher:wrong-actor-refused');
  }
  const way = random.weighted({
    redeem: 28,
    doubleRedeem: 8,
    cancel: 14,
    doubleCancel: 5,
    cancelRacesRedeem: 12,
    cancelTooLate: 8,
    expire: 15,
    redeemAfterExpiry: 10,
  });
  ctx.count(`voucher:${way}`);
  await sleep(random.int(0, 1_000));
  switch (way) {
    case 'redeem':
      // 409 only if a fault held the request up past the voucher's validity.
      expectStatus(ctx, await redeem([200, 409]), ['redeemed']);
      break;
    case 'doubleRedeem': {
      const answers = await Promise.all([redeem([200, 409]), redeem([200, 409])]);
      if (answers.every((a) => a.status === 200)) surprise(ctx, `voucher ${serviceId} was redeemed twice (200 and 200)`);
      break;
    }
    case 'cancel':
      // 422 only if a fault held the request up past the cancel window.
      expectStatus(ctx, await cancel([200, 422]), ['cancelled']);
      break;
    case 'doubleCancel':
      for (const answer of await Promise.all([cancel([200, 422]), cancel([200, 422])])) expectStatus(ctx, answer, ['cancelled']);
      break;
    case 'cancelRacesRedeem': {
      const answers = await Promise.all([cancel([200, 409, 422]), redeem([200, 409])]);
      if (answers.every((a) => a.status === 200)) surprise(ctx, `voucher ${serviceId} was both cancelled and redeemed (200 and 200)`);
      ctx.count(`voucher:race-won-by-${answers[0]!.status === 200 ? 'cancel' : answers[1]!.status === 200 ? 'redeem' : 'neither'}`);
      break;
    }
    case 'cancelTooLate':
      // Past the cancel window, unused: 422 (409 if a fault held it up past the validity, and it expired).
      await sleep(cancelWindow + 700);
      await cancel([422, 409]);
      if (random.percent(50)) expectStatus(ctx, await redeem([200, 409]), ['redeemed']);
      break;
    case 'expire':
      break;
    case 'redeemAfterExpiry': {
      const expired = await pollUntil(read, (s) => s.status !== 200 || s.body?.status !== 'issued', validity + 30_000, 500);
      if (expired.body?.status === 'expired') {
        await redeem([409]);
        await cancel([409]);
      }
      break;
    }
  }
  const final = await pollUntil(read, (s) => s.status !== 200 || s.body?.status !== 'issued', validity + 90_000, 500);
  const status = (final.body?.status as string | undefined) ?? 'unknown';
  ctx.count(`voucher:final-${status}`);
  const gross =
    status === 'redeemed'
      ? order.priceMinor
      : status === 'expired'
        ? order.priceMinor - expiredVoucherRefundOf(order.priceMinor)
        : undefined;
  if (status === 'issued' || status === 'unknown') return;
  await checkPayoutView(ctx, order, gross, `voucher ${serviceId} ${status}`);
}
