import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConcurrencyConflict } from '../../src/kernel/errors.ts';
import { systemClock } from '../../src/kernel/clock.ts';
import { signWebhook } from '../../src/platform/http/webhook-signature.ts';
import { receiveWebhooks } from '../../src/platform/http/webhooks.ts';
import { GrpcWorkflowGateway } from '../../src/platform/temporal/grpc-workflow-gateway.ts';
import { startTestApi, type TestApi } from '../support/api-server.ts';
import { createTestDatabase, temporalTarget } from '../support/test-env.ts';

const SECRET = 'a-webhook-secret-for-this-test';

/**
 * A webhook is a fact from outside: it is never refused because our own writers raced.
 * The chaos harness saw `payment.charged` and `payment.captured` arrive together and
 * the capture answered 409 (version conflict); a provider that takes a 4xx as final
 * drops the capture, and the payment is cancelled while the provider keeps the money.
 */
describe('receiving a webhook while another writer races it', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let workflows: GrpcWorkflowGateway;
  let api: TestApi;
  let conflictsLeft = 0;
  let handled = 0;

  beforeAll(async () => {
    db = await createTestDatabase();
    workflows = await GrpcWorkflowGateway.connect(temporalTarget().address, temporalTarget().namespace);
    api = await startTestApi({
      pools: db.pools,
      workflows,
      extraRoutes: [
        (app, deps) =>
          app.post(
            '/webhooks/racing',
            receiveWebhooks({
              source: 'racing',
              secret: SECRET,
              pool: deps.pools.write,
              clock: systemClock,
              handle: async () => {
                if (conflictsLeft > 0) {
                  conflictsLeft--;
                  throw new ConcurrencyConflict('Payment', 'p-1', 2);
                }
                handled++;
              },
            }),
          ),
      ],
    });
  });
  afterAll(async () => {
    await api.close();
    await workflows.close();
    await db.drop();
  });

  const send = async (id: string) => {
    const rawBody = JSON.stringify({ id, type: 'payment.captured', data: {} });
    return api.call('POST', '/webhooks/racing', {
      body: rawBody,
      headers: { 'webhook-signature': await signWebhook(SECRET, rawBody, Math.floor(Date.now() / 1000)) },
    });
  };

  it('is handled again after a lost race, and answered 200 once it holds', async () => {
    conflictsLeft = 3;
    const answer = await send('evt_race_1');
    expect(answer.status).toBe(200);
    expect(handled).toBe(1);
    const { rows } = await db.pools.read.query("SELECT count(*)::int AS n FROM inbox WHERE message_id = 'evt_race_1'");
    expect(rows[0].n).toBe(1);
  });

  it('answers 503 (try again later), never a 4xx, when every retry loses the race, and records nothing', async () => {
    conflictsLeft = 1_000;
    const answer = await send('evt_race_2');
    expect(answer.status).toBe(503);
    expect(answer.headers.get('retry-after')).toBeTruthy();
    const { rows } = await db.pools.read.query("SELECT count(*)::int AS n FROM inbox WHERE message_id = 'evt_race_2'");
    expect(rows[0].n).toBe(0);
    conflictsLeft = 0;
    expect((await send('evt_race_2')).status).toBe(200);
  });
});
