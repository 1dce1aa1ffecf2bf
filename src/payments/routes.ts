import { createRoute, z } from '@hono/zod-openapi';
import { InvalidInput, NotFound } from '../kernel/errors.ts';
import { PgIdempotencyStore } from '../platform/db/idempotency-store.ts';
import type { RegisterRoutes } from '../platform/http/app.ts';
import { requireCustomer } from '../platform/http/auth.ts';
import { idempotencyKeys } from '../platform/http/idempotency.ts';
import { BEARER_AUTH, IdParam, MoneySchema, MoneyView, problemResponses } from '../platform/http/schemas.ts';
import { receiveWebhooks } from '../platform/http/webhooks.ts';
import { WorkflowNotFound } from '../platform/temporal/workflow-gateway.ts';
import { CHARGE_REQUESTED_SIGNAL, PAYMENT_CAPTURED_SIGNAL, PAYMENT_FAILED_SIGNAL } from '../../workflows/message-names.ts';
import { payingForWonItemWorkflowId } from '../auctions/use-cases.ts';
import { getPayment } from './queries.ts';
import { applyProviderEvent, assertPaymentParty, requestCharge, type ProviderEvent } from './use-cases.ts';

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

const ChargeFact = z.object({ paymentId: z.string().uuid(), providerChargeId: z.string().min(1).max(255) });

/** The provider's events, one schema each; other types are acknowledged and ignored. */
const PROVIDER_EVENTS = {
  'payment.charged': ChargeFact.transform((data) => ({ type: 'charged' as const, ...data })),
  'payment.captured': ChargeFact.extend({ amount: MoneySchema.optional() }).transform((data) => ({ type: 'captured' as const, ...data })),
  'payment.failed': ChargeFact.extend({ reason: z.string().max(500).optional() }).transform((data) => ({
    type: 'failed' as const,
    ...data,
  })),
  'payment.refunded': ChargeFact.extend({ refundId: z.string().min(1).max(255), amount: MoneySchema }).transform((data) => ({
    type: 'refunded' as const,
    ...data,
  })),
} satisfies Record<string, z.ZodType<ProviderEvent, any>>;

export const registerPaymentRoutes: RegisterRoutes = (app, { config, pools, workflows, clock, logger }) => {
  const charging = { pool: pools.write, clock, maxAttempts: config.MAX_CHARGE_ATTEMPTS };
  const auth = requireCustomer(config.AUTH_SECRET);

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
      await workflows.signal(payingForWonItemWorkflowId(auctionId), CHARGE_REQUESTED_SIGNAL, { attempt, cardToken });
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
      handle: async (event, uow) => {
        // Own keys only: a type such as `constructor` must not find what every object inherits.
        const schema = Object.hasOwn(PROVIDER_EVENTS, event.type) ? PROVIDER_EVENTS[event.type as keyof typeof PROVIDER_EVENTS] : undefined;
        if (!schema) {
          logger.warn({ type: event.type, id: event.id }, 'ignoring an unknown payment-provider event type');
          return;
        }
        const parsed = schema.safeParse(event.data);
        if (!parsed.success) {
          throw new InvalidInput(
            'invalid payment event data',
            parsed.error.issues.map((i) => ({ path: `data.${i.path.join('.')}`, message: i.message })),
          );
        }
        const fact = parsed.data;
        const { auctionId, tellSaga } = await applyProviderEvent(uow, fact);
        if (!tellSaga) return;
        const signal = tellSaga === 'captured' ? PAYMENT_CAPTURED_SIGNAL : PAYMENT_FAILED_SIGNAL;
        try {
          await workflows.signal(payingForWonItemWorkflowId(auctionId), signal, {
            eventId: event.id,
            ...(fact.type === 'failed' && fact.reason ? { reason: fact.reason } : {}),
          });
        } catch (error) {
          // The saga has finished (the window closed, say): the payment's state is what counts.
          if (!(error instanceof WorkflowNotFound)) throw error;
        }
      },
    }),
  );
};
