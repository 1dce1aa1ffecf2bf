import { createRoute, z } from '@hono/zod-openapi';
import { InvalidInput, NotFound } from '../kernel/errors.ts';
import { PgIdempotencyStore } from '../platform/db/idempotency-store.ts';
import type { RegisterRoutes } from '../platform/http/app.ts';
import { requireCustomer } from '../platform/http/auth.ts';
import { idempotencyKeys } from '../platform/http/idempotency.ts';
import { BEARER_AUTH, IdParam, MoneyView, problemResponses } from '../platform/http/schemas.ts';
import { receiveWebhooks } from '../platform/http/webhooks.ts';
import { WorkflowNotFound } from '../platform/temporal/workflow-gateway.ts';
import { CHARGE_REQUESTED_SIGNAL, PAYMENT_CAPTURED_SIGNAL, PAYMENT_FAILED_SIGNAL } from '../../workflows/message-names.ts';
import { payingForWonItemWorkflowId } from '../auctions/use-cases.ts';
import { getPayment } from './queries.ts';
import { applyProviderEvent, assertPaymentParty, requestCharge } from './use-cases.ts';

const PaymentView = z
  .object({
    id: z.string(),
    auctionId: z.string(),
    payerId: z.string(),
    payeeId: z.string(),
    amount: MoneyView,
    title: z.string(),
    status: z.enum(['new', 'charged', 'captured', 'failed', 'timed_out', 'refunded', 'cancelled']),
    attempts: z.number().int(),
    providerChargeId: z.string().nullable(),
    createdAt: z.string(),
    version: z.number().int(),
  })
  .openapi('Payment');

const ChargeRequest = z.object({ cardToken: z.string().min(1).max(200).openapi({ example: 'tok_visa' }) }).openapi('ChargeRequest');

const PROVIDER_EVENTS = {
  'payment.charged': 'charged',
  'payment.captured': 'captured',
  'payment.failed': 'failed',
  'payment.refunded': 'refunded',
} as const;
const ProviderEventData = z.object({ paymentId: z.string().uuid(), providerChargeId: z.string().min(1), reason: z.string().optional() });

export const registerPaymentRoutes: RegisterRoutes = (app, { config, pools, workflows, clock, logger }) => {
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
      security: BEARER_AUTH,
      middleware: [auth, idempotencyKeys(new PgIdempotencyStore(pools.write))] as const,
      request: { params: IdParam, body: { required: true, content: { 'application/json': { schema: ChargeRequest } } } },
      responses: {
        202: {
          description: 'The charge is on its way',
          content: {
            'application/json': { schema: z.object({ paymentId: z.string(), attempt: z.number().int(), status: z.literal('pending') }) },
          },
        },
        ...problemResponses(400, 401, 403, 404, 409),
      },
    }),
    async (c) => {
      const paymentId = c.req.valid('param').id;
      const { cardToken } = c.req.valid('json');
      const { attempt, auctionId } = await requestCharge(pools.write, { paymentId, payerId: c.get('customerId') });
      await workflows.signal(payingForWonItemWorkflowId(auctionId), CHARGE_REQUESTED_SIGNAL, { attempt, cardToken });
      return c.json({ paymentId, attempt, status: 'pending' as const }, 202);
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
        const kind = PROVIDER_EVENTS[event.type as keyof typeof PROVIDER_EVENTS];
        if (!kind) {
          logger.warn({ type: event.type, id: event.id }, 'ignoring an unknown payment-provider event type');
          return;
        }
        const data = ProviderEventData.safeParse(event.data);
        if (!data.success) {
          throw new InvalidInput(
            'invalid payment event data',
            data.error.issues.map((i) => ({ path: `data.${i.path.join('.')}`, message: i.message })),
          );
        }
        const { auctionId } = await applyProviderEvent(uow, { type: kind, ...data.data });
        const signal = kind === 'captured' ? PAYMENT_CAPTURED_SIGNAL : kind === 'failed' ? PAYMENT_FAILED_SIGNAL : undefined;
        if (!signal) return;
        try {
          await workflows.signal(payingForWonItemWorkflowId(auctionId), signal, { eventId: event.id, reason: data.data.reason });
        } catch (error) {
          // The saga has finished (the window closed, say): the payment's state is what counts.
          if (!(error instanceof WorkflowNotFound)) throw error;
        }
      },
    }),
  );
};
