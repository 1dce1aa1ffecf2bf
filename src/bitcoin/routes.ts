import { createRoute, z } from '@hono/zod-openapi';
import { NotFound } from '../kernel/errors.ts';
import { PgIdempotencyStore } from '../platform/db/idempotency-store.ts';
import type { RegisterRoutes } from '../platform/http/app.ts';
import { requireCustomer } from '../platform/http/auth.ts';
import { idempotencyKeys, idForThisRequest } from '../platform/http/idempotency.ts';
import { BEARER_AUTH, IdParam, jsonContent, MoneySchema, MoneyView, problemResponses } from '../platform/http/schemas.ts';
import { knownEventsOnly } from '../platform/http/webhook-events.ts';
import { receiveWebhooks } from '../platform/http/webhooks.ts';
import { bitcoinWithdrawalSaga } from '../../workflows/bitcoin-withdrawal.contract.ts';
import { receiveDepositPayment } from './deposit-invoice-paid.ts';
import { registerDepositInvoiceRoutes } from './deposit-routes.ts';
import { receiveLightningPaymentOutcome } from './lightning-payment-outcome.ts';
import { parseLightningWebhookEvent } from './lightning-webhook-events.ts';
import { getWithdrawal } from './queries.ts';
import { assertWithdrawalOwner, requestWithdrawal } from './use-cases.ts';

const STATUSES = ['pending', 'accepted', 'paid', 'rejected', 'failed'] as const;

const WithdrawalView = z
  .object({
    id: z.string(),
    accountId: z.string(),
    customerId: z.string(),
    status: z.enum(STATUSES),
    amount: MoneyView,
    paymentHash: z.string(),
    invoice: z.string(),
    invoiceExpiresAt: z.string(),
    reason: z.string().nullable(),
    workflowId: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
    version: z.number().int(),
  })
  .openapi('Withdrawal');

const RequestWithdrawal = z
  .object({
    accountId: z.string().min(1).max(200).openapi({ description: 'your account, whose id is your customer id' }),
    amount: MoneySchema,
    invoice: z.string().min(1).max(7089).openapi({ description: 'a BOLT11 invoice (lnbc…) for exactly `amount`' }),
  })
  .openapi('RequestWithdrawal');

export const registerBitcoinRoutes: RegisterRoutes = (app, deps) => {
  const { config, pools, workflows, clock, logger } = deps;
  const auth = requireCustomer(config);

  app.openapi(
    createRoute({
      method: 'post',
      path: '/withdrawals',
      tags: ['bitcoin'],
      summary: "Withdraw SAT from one's own account to a lightning invoice; starts the bitcoin-withdrawal saga",
      description:
        'The invoice is checked at once (400 if it is not a BOLT11 invoice, 422 if its amount differs or it has expired); ' +
        "whether the funds are available is the saga's first step (`rejected` if not).",
      security: BEARER_AUTH,
      middleware: [auth, idempotencyKeys(new PgIdempotencyStore(pools.write))] as const,
      request: { body: { required: true, content: { 'application/json': { schema: RequestWithdrawal } } } },
      responses: {
        202: jsonContent(
          z.object({ id: z.string(), workflowId: z.string(), status: z.enum(STATUSES) }),
          'Accepted for processing: the saga runs',
        ),
        ...problemResponses(400, 401, 403, 409, 422),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const withdrawalId = await idForThisRequest(c, 'withdrawal');
      const saga = await requestWithdrawal({ pool: pools.write, clock }, { customerId: c.get('customerId'), ...body, withdrawalId });
      // The outbox handler of WithdrawalRequested starts it too, should this call not get through.
      const workflowId = bitcoinWithdrawalSaga.workflowId(saga.withdrawalId);
      await workflows.start(bitcoinWithdrawalSaga, saga, { taskQueue: config.TEMPORAL_TASK_QUEUE }).catch((error) => {
        logger.warn({ err: error, withdrawalId: saga.withdrawalId }, 'withdrawal saga not started yet; the outbox handler will');
      });
      return c.json({ id: saga.withdrawalId, workflowId, status: 'pending' as const }, 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/withdrawals/{id}',
      tags: ['bitcoin'],
      summary: 'A withdrawal (owner only): pending, accepted, paid, rejected or failed',
      security: BEARER_AUTH,
      middleware: [auth] as const,
      request: { params: IdParam },
      responses: { 200: jsonContent(WithdrawalView, 'The withdrawal'), ...problemResponses(400, 401, 403, 404) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const withdrawal = await getWithdrawal(pools.read, id);
      if (!withdrawal) throw new NotFound(`no withdrawal ${id}`);
      assertWithdrawalOwner(withdrawal, c.get('customerId'));
      return c.json(withdrawal, 200);
    },
  );

  registerDepositInvoiceRoutes(app, deps);

  app.post(
    '/webhooks/lightning',
    receiveWebhooks({
      source: 'lightning',
      secret: config.LIGHTNING_WEBHOOK_SECRET,
      pool: pools.write,
      clock,
      handle: knownEventsOnly('lightning', parseLightningWebhookEvent, logger, (event, uow) =>
        event.type === 'invoice.paid'
          ? receiveDepositPayment({ logger, clock }, uow, event)
          : receiveLightningPaymentOutcome({ workflows, logger }, uow, event),
      ),
    }),
  );
};
