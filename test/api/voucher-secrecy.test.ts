import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startPlatform, type TestPlatform } from '../support/platform.ts';
import { wonAuctionHelpers } from '../support/won-auctions.ts';

/**
 * A voucher code is the buyer's secret (docs/design.md, property 12): it is shown in the buyer's
 * own voucher view and in exactly one e-mail, the buyer's voucher e-mail; never in
 * events, saga state or histories, other e-mails, or anything the seller can read.
 */
let platform: TestPlatform;
const h = wonAuctionHelpers(() => platform);

beforeAll(async () => {
  platform = await startPlatform({ env: { SETTLEMENT_DELAY: '1s' } });
}, 120_000);
afterAll(() => platform?.stop());

describe('a voucher code', () => {
  it('reaches the buyer only, through the voucher view and the voucher e-mail', async () => {
    const { seller, winner, paymentId, sagaId, auctionId } = await h.wonAuction({ fulfilment: 'service' });
    await h.charge(paymentId, winner, 'tok_visa');
    const { body: auction } = await eventually(
      () => platform.api.call('GET', `/auctions/${auctionId}`),
      (r) => Boolean(r.body.serviceId),
    );
    const serviceId = auction.serviceId as string;
    const { body: voucher } = await eventually(
      () => platform.api.call('GET', `/services/${serviceId}`, { as: winner }),
      (r) => r.status === 200 && Boolean(r.body.code),
    );
    const code = voucher.code as string;
    expect(code).toMatch(/^[A-Z0-9]{4}(-[A-Z0-9]{4}){3}$/);
    const mails = await eventually(
      async () => (await platform.api.call('GET', `/customers/${winner}/notifications`, { as: winner })).body.notifications as unknown[],
      (list) => list.some((n) => JSON.stringify(n).includes(code)),
    );
    expect(mails.filter((n) => JSON.stringify(n).includes(code))).toEqual([expect.objectContaining({ kind: 'voucher-issued' })]);

    const serviceSaga = `service-fulfilment-${serviceId}`;
    // Redeemed, so the saga runs to its end (the seller's payout) and every record it leaves is looked at.
    expect((await platform.api.call('POST', `/services/${serviceId}/redeem`, { as: winner })).status).toBe(200);
    await eventually(
      () => h.saga(serviceSaga, winner),
      (s) => s.status === 'completed',
    );
    const readable = [
      await platform.api.call('GET', `/services/${serviceId}`, { as: seller }),
      await platform.api.call('GET', `/services/${serviceId}/events`, { as: seller }),
      await platform.api.call('GET', `/services/${serviceId}/events`, { as: winner }),
      await platform.api.call('GET', `/sagas/${serviceSaga}`, { as: seller }),
      await platform.api.call('GET', `/sagas/${serviceSaga}`, { as: winner }),
      await platform.api.call('GET', `/sagas/${sagaId}`, { as: winner }),
      await platform.api.call('GET', `/customers/${seller}/notifications`, { as: seller }),
      await platform.api.call('GET', `/customers/${seller}/dashboard`, { as: seller }),
    ];
    for (const response of readable) {
      expect(response.status).toBe(200);
      expect(JSON.stringify(response.body)).not.toContain(code);
    }
    for (const workflowId of [serviceSaga, sagaId]) {
      const history = await platform.workflows.client.workflow.getHandle(workflowId).fetchHistory();
      expect(JSON.stringify(history)).not.toContain(code);
    }
    const stored = await platform.db.pools.read.query(
      `SELECT (SELECT count(*) FROM event_store WHERE payload::text LIKE $1)::int AS events,
              (SELECT count(*) FROM outbox WHERE payload::text LIKE $1)::int AS outbox`,
      [`%${code}%`],
    );
    expect(stored.rows[0]).toEqual({ events: 0, outbox: 0 });
  });
});
