import { createRoute, z } from '@hono/zod-openapi';
import { NotFound } from '../kernel/errors.ts';
import { PgIdempotencyStore } from '../platform/db/idempotency-store.ts';
import type { RegisterRoutes } from '../platform/http/app.ts';
import { requireCustomer } from '../platform/http/auth.ts';
import { idempotencyKeys } from '../platform/http/idempotency.ts';
import { BEARER_AUTH, IdParam, MoneyView, problemResponses } from '../platform/http/schemas.ts';
import { knownEventsOnly } from '../platform/http/webhook-events.ts';
import { receiveWebhooks } from '../platform/http/webhooks.ts';
import { payingForWonItemSaga } from '../../workflows/paying-for-won-item.contract.ts';
import { receiveProviderPaymentEvent } from './provider-payment-outcome.ts';
import { parseProviderWebhookEvent } from './provider-webhook-events.ts';
import { getPayment } from './queries.ts';
import { assertPaymentParty, requestCharge } from './use-cases.ts';

const PaymentView = z
  .object({
    id: z.string(),
    auctionId: z.string(),
    payerId: z.string(),
    payeeId: z.string(),
    amount: MoneyView,
    title: z.string(),
    status: z.enum(['new', 'charging', 'charged', 'captured', 'failed', 'refunded', 'cancelled']),
    attempts: z.number().int(),
    providerChargeId: z.string().nullable(),
    refunded: MoneyView,
    payableUntil: z.string(),
    createdAt: z.string(),
    version: z.number().int(),
  })
  .openapi('Payment');

const ChargeRequest = z.object({ cardToken: z.string().min(1).max(200).openapi({ example: 'tok_visa' }) }).openapi('ChargeRequest');

export const registerPaymentRoutes: RegisterRoutes = (app, { config, pools, workflows, clock, logger }) => {
  const charging = { pool: pools.write, clock, maxAttempts: config.MAX_CHARGE_ATTEMPTS };
  const auth = requireCustomer(config);

  app.openapi(
    createRoute({
      method: 'get',
      path: '/payments/{id}',
      tags: ['payments'],
      summary: 'A payment (payer and payee only)',
      security: BEARER_AUTH,
      middleware: [auth] as const,
      request: { params: IdParam },
      responses: {
        200: { description: 'The payment', content: { 'application/json': { schema: PaymentView } } },
        ...problemResponses(400, 401, 403, 404),
      },
    }),
    async (c) => {
      const payment = await getPayment(pools.read, c.req.valid('param').id);
      if (!payment) throw new NotFound(`no payment ${c.req.valid('param').id}`);
      assertPaymentParty(payment, c.get('customerId'));
      return c.json(payment, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/payments/{id}/charge',
      tags: ['payments'],
      summary: 'The payer submits a card token; the provider answers later by webhook',
      description:
        'One attempt at a time: 409 while an attempt is at the provider. 422 once the payment window has closed or ' +
        '`MAX_CHARGE_ATTEMPTS` attempts were made. A card the provider refuses outright fails the attempt at once (payment `failed`).',
      security: BEARER_AUTH,
      middleware: [auth, idempotencyKeys(new PgIdempotencyStore(pools.write))] as const,
      request: { params: IdParam, body: { required: true, content: { 'application/json': { schema: ChargeRequest } } } },
      responses: {
        202: {
          description: 'The charge is on its way',
          content: {
            'application/json': { schema: z.object({ paymentId: z.string(), attempt: z.number().int(), status: z.literal('charging') }) },
          },
        },
        ...problemResponses(400, 401, 403, 404, 409, 422),
      },
    }),
    async (c) => {
      const paymentId = c.req.valid('param').id;
      const { cardToken } = c.req.valid('json');
      const { attempt, auctionId } = await requestCharge(charging, { paymentId, payerId: c.get('customerId') });
      await workflows.signal(payingForWonItemSaga.workflowId(auctionId), payingForWonItemSaga.signals.chargeRequested, {
        attempt,
        cardToken,
      });
      return c.json({ paymentId, attempt, status: 'charging' as const }, 202);
    },
  );

  app.post(
    '/webhooks/payments',
    receiveWebhooks({
      source: 'payments',
      secret: config.PAYMENTS_WEBHOOK_SECRET,
      pool: pools.write,
      clock,
      handle: knownEventsOnly('payment-provider', parseProviderWebhookEvent, logger, (event, uow) =>
        receiveProviderPaymentEvent({ workflows }, uow, event),
      ),
    }),
  );
};
