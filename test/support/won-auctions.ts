import { expect } from 'vitest';
import { signWebhook } from '../../src/platform/http/webhook-signature.ts';
import { eventually, type TestPlatform } from './platform.ts';

/** Helpers for tests that need a won auction with its payment open, and the provider's view of it. */
export function wonAuctionHelpers(platform: () => TestPlatform) {
  const p = () => platform();
  const usd = (amount: string) => ({ amount, currency: 'USD' });
  return {
    usd,
    /** An auction sold to `winner` for `price`, its paying saga awaiting payment. */
    async wonAuction(options: { price?: string; fulfilment?: 'delivery' | 'service' } = {}) {
      const seller = `seller-${crypto.randomUUID()}`;
      const winner = `winner-${crypto.randomUUID()}`;
      const created = await p().api.call('POST', '/auctions', {
        as: seller,
        body: {
          title: 'A money-safety teapot',
          startingPrice: usd('5.00'),
          endsAt: new Date(Date.now() + 3_600_000).toISOString(),
          fulfilment: options.fulfilment ?? 'service',
        },
      });
      expect(created.status).toBe(201);
      const auctionId = created.body.id as string;
      const price = options.price ?? '25.00';
      expect((await p().api.call('POST', `/auctions/${auctionId}/bids`, { as: winner, body: { amount: usd(price) } })).status).toBe(201);
      const ended = await p().api.call('POST', `/auctions/${auctionId}/end`, { as: seller });
      expect(ended.status).toBe(202);
      const sagaId = ended.body.workflowId as string;
      await eventually(
        () => p().api.call('GET', `/sagas/${sagaId}`, { as: winner }),
        (r) => r.status === 200 && r.body.step === 'awaiting-payment',
      );
      const { body: auction } = await eventually(
        () => p().api.call('GET', `/auctions/${auctionId}`),
        (r) => Boolean(r.body.paymentId),
      );
      return { seller, winner, auctionId, sagaId, paymentId: auction.paymentId as string, price };
    },
    charge: (paymentId: string, winner: string, cardToken: string) =>
      p().api.call('POST', `/payments/${paymentId}/charge`, { as: winner, body: { cardToken } }),
    payment: async (paymentId: string, winner: string) => (await p().api.call('GET', `/payments/${paymentId}`, { as: winner })).body,
    saga: async (sagaId: string, who: string) => (await p().api.call('GET', `/sagas/${sagaId}`, { as: who })).body,
    async chargesAtProvider(paymentId: string) {
      const response = await fetch(`${p().simulators.urls.payments}/charges?paymentId=${paymentId}`);
      return ((await response.json()) as { charges: { chargeId: string; status: string; refunds: { amount: unknown }[] }[] }).charges;
    },
    /** Plays the provider: POSTs to one of its test controls. */
    providerControl: (path: string, body: unknown = {}, headers: Record<string, string> = {}) =>
      fetch(`${p().simulators.urls.payments}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      }),
    /** A webhook as the provider would sign it, for facts the simulator does not repeat on its own. */
    async sendProviderWebhook(event: { id: string; type: string; data: Record<string, unknown> }) {
      const rawBody = JSON.stringify(event);
      const signature = await signWebhook(p().config.PAYMENTS_WEBHOOK_SECRET, rawBody, Math.floor(Date.now() / 1000));
      return fetch(`${p().api.url}/webhooks/payments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'webhook-signature': signature },
        body: rawBody,
      });
    },
    kindsFor: async (customer: string) =>
      ((await p().api.call('GET', `/customers/${customer}/notifications`, { as: customer })).body.notifications as { kind: string }[]).map(
        (n) => n.kind,
      ),
  };
}
