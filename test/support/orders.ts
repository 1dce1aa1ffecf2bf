import { expect } from 'vitest';
import { eventually, type TestPlatform } from './platform.ts';

/**
 * Helpers for end-to-end tests of the order after payment: an auction won and paid with
 * `tok_visa` up to its fulfilment, the carrier played through its simulator, and the
 * order's routes called as the buyer, the seller or anyone.
 */
export function orderHelpers(platform: () => TestPlatform) {
  const call = (...args: Parameters<TestPlatform['api']['call']>) => platform().api.call(...args);
  const usd = (amount: string) => ({ amount, currency: 'USD' });

  async function paidAuction(fulfilment: 'delivery' | 'service', price = '10.00') {
    const seller = `seller-${crypto.randomUUID()}`;
    const buyer = `buyer-${crypto.randomUUID()}`;
    const { body: auction } = await call('POST', '/auctions', {
      as: seller,
      body: {
        title: `A ${fulfilment} order`,
        startingPrice: usd('1.00'),
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
        fulfilment,
      },
    });
    expect((await call('POST', `/auctions/${auction.id}/bids`, { as: buyer, body: { amount: usd(price) } })).status).toBe(201);
    const { body: ended } = await call('POST', `/auctions/${auction.id}/end`, { as: seller });
    const { body: withPayment } = await eventually(
      () => call('GET', `/auctions/${auction.id}`),
      (r) => Boolean(r.body.paymentId),
    );
    await eventually(
      () => call('GET', `/sagas/${ended.workflowId}`, { as: buyer }),
      (r) => r.body.step === 'awaiting-payment',
    );
    const charged = await call('POST', `/payments/${withPayment.paymentId}/charge`, { as: buyer, body: { cardToken: 'tok_visa' } });
    expect(charged.status, JSON.stringify(charged.body)).toBe(202);
    const key = fulfilment === 'delivery' ? 'deliveryId' : 'serviceId';
    const { body: paid } = await eventually(
      () => call('GET', `/auctions/${auction.id}`),
      (r) => r.body.status === 'paid' && Boolean(r.body[key]),
    );
    const id = paid[key] as string;
    const sagaId = `${fulfilment}-fulfilment-${id}`;
    const payingSagaId = ended.workflowId as string;
    return { auctionId: auction.id as string, paymentId: withPayment.paymentId as string, id, sagaId, payingSagaId, buyer, seller, price };
  }

  return {
    call,
    usd,
    paidAuction,
    /** A paid delivery the seller has accepted, with the carrier booked. */
    async acceptedDelivery(price?: string) {
      const order = await paidAuction('delivery', price);
      await sagaAt(order.sagaId, order.buyer, 'awaiting-seller');
      expect((await call('POST', `/deliveries/${order.id}/accept`, { as: order.seller })).status).toBe(200);
      const { body } = await eventually(
        () => call('GET', `/deliveries/${order.id}`, { as: order.buyer }),
        (r) => Boolean(r.body.trackingNumber),
      );
      return { ...order, trackingNumber: body.trackingNumber as string };
    },
    /** The carrier reports `type` for a shipment; its answer (202, or 409 for a cancelled booking). */
    async carrierSays(trackingNumber: string, type: string): Promise<number> {
      const response = await fetch(`${platform().simulators.urls.carrier}/shipments/${trackingNumber}/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type }),
      });
      await response.body?.cancel();
      return response.status;
    },
    sagaAt,
    sagaEnded: (sagaId: string, who: string, timeoutMs = 30_000) =>
      eventually(
        () => call('GET', `/sagas/${sagaId}`, { as: who }),
        (r) => r.body.status === 'completed',
        timeoutMs,
      ).then((r) => r.body as { step: string; history: { step: string }[] }),
    delivery: async (id: string, who: string) => (await call('GET', `/deliveries/${id}`, { as: who })).body,
    service: async (id: string, who: string) => (await call('GET', `/services/${id}`, { as: who })).body,
    payment: async (id: string, who: string) => (await call('GET', `/payments/${id}`, { as: who })).body,
    payouts: async (seller: string) =>
      (await call('GET', `/customers/${seller}/payouts`, { as: seller })).body.payouts as Record<string, any>[],
    kinds: async (who: string) =>
      (await call('GET', `/customers/${who}/notifications`, { as: who })).body.notifications.map(
        (n: { kind: string }) => n.kind,
      ) as string[],
    events: async (path: 'deliveries' | 'services', id: string, who: string) =>
      (await call('GET', `/${path}/${id}/events`, { as: who })).body as {
        type: string;
        actor?: string;
        payload: Record<string, unknown>;
      }[],
  };

  function sagaAt(sagaId: string, who: string, step: string) {
    return eventually(
      () => call('GET', `/sagas/${sagaId}`, { as: who }),
      (r) => r.body.step === step,
    );
  }
}
