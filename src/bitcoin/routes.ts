import { createRoute, z } from '@hono/zod-openapi';
import { InvalidInput, NotFound } from '../kernel/errors.ts';
import { PgIdempotencyStore } from '../platform/db/idempotency-store.ts';
import type { RegisterRoutes } from '../platform/http/app.ts';
import { requireCustomer } from '../platform/http/auth.ts';
import { idempotencyKeys, idForThisRequest } from '../platform/http/idempotency.ts';
import { BEARER_AUTH, IdParam, MoneySchema, MoneyView, problemResponses } from '../platform/http/schemas.ts';
import { receiveWebhooks } from '../platform/http/webhooks.ts';
import { WorkflowNotFound } from '../platform/temporal/workflow-gateway.ts';
import { LIGHTNING_PAYMENT_FAILED_SIGNAL, LIGHTNING_PAYMENT_SUCCEEDED_SIGNAL } from '../../workflows/message-names.ts';
import { getWithdrawal } from './queries.ts';
import { findWithdrawal } from './repository.ts';
import { applyLateLightningOutcome, assertWithdrawalOwner, bitcoinWithdrawalWorkflowId, requestWithdrawal } from './use-cases.ts';
import { startBitcoinWithdrawal } from './workflows.ts';

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

const LightningEventData = z.object({
  withdrawalId: z.string().uuid(),
  paymentHash: z.string().regex(/^[0-9a-f]{64}$/),
  reason: z.string().optional(),
});
const LIGHTNING_SIGNALS: Record<string, string> = {
  'payment.succeeded': LIGHTNING_PAYMENT_SUCCEEDED_SIGNAL,
  'payment.failed': LIGHTNING_PAYMENT_FAILED_SIGNAL,
};

const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });

export const registerBitcoinRoutes: RegisterRoutes = (app, { config, pools, workflows, clock, logger }) => {
  const auth = requireCustomer(config.AUTH_SECRET);

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
        202: json(z.object({ id: z.string(), workflowId: z.string(), status: z.enum(STATUSES) }), 'Accepted for processing: the saga runs'),
        ...problemResponses(400, 401, 403, 409, 422),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const withdrawalId = await idForThisRequest(c, 'withdrawal');
      const saga = await requestWithdrawal({ pool: pools.write, clock }, { customerId: c.get('customerId'), ...body, withdrawalId });
      // The outbox handler of WithdrawalRequested starts it too, should this call not get through.
      const workflowId = await startBitcoinWithdrawal(workflows, config.TEMPORAL_TASK_QUEUE, saga).catch((error) => {
        logger.warn({ err: error, withdrawalId: saga.withdrawalId }, 'withdrawal saga not started yet; the outbox handler will');
        return bitcoinWithdrawalWorkflowId(saga.withdrawalId);
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
      responses: { 200: json(WithdrawalView, 'The withdrawal'), ...problemResponses(400, 401, 403, 404) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const withdrawal = await getWithdrawal(pools.read, id);
      if (!withdrawal) throw new NotFound(`no withdrawal ${id}`);
      assertWithdrawalOwner(withdrawal, c.get('customerId'));
      return c.json(withdrawal, 200);
    },
  );

  app.post(
    '/webhooks/lightning',
    receiveWebhooks({
      source: 'lightning',
      secret: config.LIGHTNING_WEBHOOK_SECRET,
      pool: pools.write,
      clock,
      handle: async (event, uow) => {
        // Own keys only: a type such as `constructor` must not find what every object inherits.
        const signal = Object.hasOwn(LIGHTNING_SIGNALS, event.type) ? LIGHTNING_SIGNALS[event.type] : undefined;
        if (!signal) {
          logger.warn({ type: event.type, id: event.id }, 'ignoring an unknown lightning event type');
          return;
        }
        const data = LightningEventData.safeParse(event.data);
        if (!data.success) {
          throw new InvalidInput(
            'invalid lightning event data',
            data.error.issues.map((i) => ({ path: `data.${i.path.join('.')}`, message: i.message })),
          );
        }
        const { withdrawalId, paymentHash, reason } = data.data;
        const withdrawal = await findWithdrawal(uow, withdrawalId);
        if (!withdrawal || withdrawal.state.paymentHash !== paymentHash) {
          logger.warn({ id: event.id, withdrawalId, paymentHash }, 'lightning event for no withdrawal of ours; ignored');
          return;
        }
        try {
          await workflows.signal(bitcoinWithdrawalWorkflowId(withdrawalId), signal, {
            eventId: event.id,
            paymentHash,
            ...(reason ? { reason } : {}),
          });
        } catch (error) {
          if (!(error instanceof WorkflowNotFound)) throw error;
          // No saga waits any more (it was cancelled while the node said pending): the fact is applied here.
          const outcome = event.type === 'payment.succeeded' ? { status: 'succeeded' as const } : { status: 'failed' as const, reason };
          const applied = await applyLateLightningOutcome(uow, withdrawalId, outcome);
          const log = applied === 'contradicts' ? logger.error.bind(logger) : logger.info.bind(logger);
          log(
            { id: event.id, withdrawalId, status: withdrawal.state.status, type: event.type, applied },
            applied === 'contradicts'
              ? 'a late lightning result contradicts the finished withdrawal; reconcile with the node'
              : 'late lightning result applied without its saga',
          );
        }
      },
    }),
  );
};
