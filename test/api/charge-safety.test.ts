import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startPlatform, type TestPlatform } from '../support/platform.ts';
import { replayRecordedHistories } from '../support/replay.ts';
import { wonAuctionHelpers } from '../support/won-auctions.ts';

/**
 * One charge in flight per payment, a refusal is an answer, attempts are bounded
 * (docs/design.md, property 11). Each test reproduces a defect reported against the public API.
 */
let platform: TestPlatform;
const ran: string[] = [];
const h = wonAuctionHelpers(() => platform);

beforeAll(async () => {
  platform = await startPlatform({ env: { MAX_CHARGE_ATTEMPTS: '3' } });
}, 120_000);
afterAll(() => platform?.stop());

describe('charging a card', () => {
  it('charges once when the payer double-clicks: three concurrent requests, one attempt, one charge at the provider', async () => {
    const { winner, paymentId, sagaId } = await h.wonAuction();
    ran.push(sagaId);

    const answers = await Promise.all([1, 2, 3].map(() => h.charge(paymentId, winner, 'tok_visa')));
    expect(answers.map((a) => a.status).sort()).toEqual([202, 409, 409]);
    const accepted = answers.find((a) => a.status === 202)!;
    expect(accepted.body).toMatchObject({ paymentId, attempt: 1, status: 'charging' });
    for (const refused of answers.filter((a) => a.status === 409)) {
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
    }

    await eventually(
      () => h.saga(sagaId, winner),
      (saga) => saga.status === 'completed',
    );
    expect(await h.payment(paymentId, winner)).toMatchObject({ status: 'captured', attempts: 1 });
    const charges = await h.chargesAtProvider(paymentId);
    expect(charges).toHaveLength(1);
    expect(charges[0]).toMatchObject({ status: 'captured' });
  });

  it('refuses a second attempt while one is at the provider, and takes it once the first has failed', async () => {
    const { winner, paymentId, sagaId } = await h.wonAuction();
    ran.push(sagaId);
    expect((await h.charge(paymentId, winner, 'tok_hold')).status).toBe(202);
    await eventually(
      () => h.chargesAtProvider(paymentId),
      (charges) => charges.length === 1,
    );
    expect(await h.payment(paymentId, winner)).toMatchObject({ status: 'charging' });
    expect((await h.charge(paymentId, winner, 'tok_visa')).status).toBe(409);

    const [held] = await h.chargesAtProvider(paymentId);
    expect((await h.providerControl(`/charges/${held!.chargeId}/decline`)).status).toBe(200);
    await eventually(
      () => h.payment(paymentId, winner),
      (payment) => payment.status === 'failed',
    );
    expect((await h.charge(paymentId, winner, 'tok_visa')).body).toMatchObject({ attempt: 2, status: 'charging' });
    await eventually(
      () => h.saga(sagaId, winner),
      (saga) => saga.status === 'completed',
    );
    expect((await h.chargesAtProvider(paymentId)).map((c) => c.status).sort()).toEqual(['captured', 'failed']);
  });

  it('fails an attempt at once when the provider refuses the card, and lets the payer pay with another', async () => {
    const { winner, paymentId, sagaId } = await h.wonAuction();
    ran.push(sagaId);

    expect((await h.charge(paymentId, winner, 'tok_bogus')).status).toBe(202);
    // Refused outright (the provider's 400): failed within seconds, not retried for ever.
    const failed = await eventually(
      () => h.payment(paymentId, winner),
      (payment) => payment.status === 'failed',
      10_000,
    );
    expect(failed).toMatchObject({ attempts: 1 });
    await eventually(
      () => h.kindsFor(winner),
      (kinds) => kinds.includes('payment-failed'),
    );
    expect(await h.saga(sagaId, winner)).toMatchObject({ status: 'running', step: 'payment-failed-awaiting-retry' });
    const events = (await platform.api.call('GET', `/payments/${paymentId}/events`, { as: winner })).body as { type: string }[];
    expect(events.map((e) => e.type)).toEqual(['PaymentStarted', 'ChargeRequested', 'PaymentFailed']);
    expect(await h.chargesAtProvider(paymentId)).toHaveLength(0);

    // The next card runs at once: nothing is queued behind a stuck activity.
    expect((await h.charge(paymentId, winner, 'tok_visa')).body).toMatchObject({ attempt: 2 });
    await eventually(
      () => h.saga(sagaId, winner),
      (saga) => saga.status === 'completed',
      10_000,
    );
    expect(await h.payment(paymentId, winner)).toMatchObject({ status: 'captured', attempts: 2 });
  });

  it('refuses attempts after MAX_CHARGE_ATTEMPTS (422), so a saga history cannot grow without bound', async () => {
    const { winner, paymentId, sagaId } = await h.wonAuction();
    ran.push(sagaId);
    for (let attempt = 1; attempt <= 3; attempt++) {
      expect((await h.charge(paymentId, winner, 'tok_chargeDeclined')).body).toMatchObject({ attempt });
      await eventually(
        () => h.payment(paymentId, winner),
        (payment) => payment.status === 'failed' && payment.attempts === attempt,
      );
    }
    const fourth = await h.charge(paymentId, winner, 'tok_visa');
    expect(fourth.status).toBe(422);
    expect(fourth.body.detail).toMatch(/3 charge attempts/);
    expect(await h.payment(paymentId, winner)).toMatchObject({ status: 'failed', attempts: 3 });
    expect(await h.chargesAtProvider(paymentId)).toHaveLength(3);
  });

  it('replays the recorded histories', async () => {
    expect(await replayRecordedHistories(platform.workflows, ran)).toBe(ran.length);
  });
});
