import { createRoute, z } from '@hono/zod-openapi';
import { HTTPException } from 'hono/http-exception';
import { assertAccountOwner } from '../accounting/use-cases.ts';
import { NotFound } from '../kernel/errors.ts';
import { PgIdempotencyStore } from '../platform/db/idempotency-store.ts';
import type { RegisterRoutes } from '../platform/http/app.ts';
import { requireCustomer } from '../platform/http/auth.ts';
import { idempotencyKeys, idForThisRequest } from '../platform/http/idempotency.ts';
import { AccountIdParam, BEARER_AUTH, jsonContent, MoneySchema, MoneyView, problemResponses } from '../platform/http/schemas.ts';
import { MAX_DEPOSIT_INVOICE } from './deposit-invoice.ts';
import { findDepositInvoice } from './deposit-invoice-store.ts';
import { depositInvoiceView } from './deposit-invoice-view.ts';
import { issueDepositInvoice, LightningNodeUnavailable } from './issue-deposit-invoice.ts';
import { HttpLightningNode } from './lightning-node.ts';

const DepositInvoiceView = z
  .object({
    id: z.string(),
    accountId: z.string(),
    invoice: z.string().openapi({ description: 'the BOLT11 invoice (lnbc…) to pay' }),
    paymentHash: z.string(),
    expiresAt: z.string(),
    amount: MoneyView,
    status: z.enum(['open', 'paid', 'expired']).openapi({
      description: '`expired`: open and past `expiresAt`; a payment that still arrives is credited and makes it `paid`',
    }),
    received: z.union([MoneyView, z.null()]),
    paidAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('DepositInvoice', {
    description:
      '`received` is what the node reported received and the account was credited (null until paid); it may differ from `amount`',
  });

const RequestDepositInvoice = z
  .object({ amount: MoneySchema })
  .openapi('RequestDepositInvoice', { description: `\`amount\` is SAT, more than zero and at most ${MAX_DEPOSIT_INVOICE.amount}` });

const DepositInvoiceParams = AccountIdParam.extend({
  invoiceId: z
    .string()
    .uuid()
    .openapi({ param: { name: 'invoiceId', in: 'path' } }),
});

/** Lightning deposits: invoices of our node that credit the caller's own account when paid (the `invoice.paid` webhook). */
export const registerDepositInvoiceRoutes: RegisterRoutes = (app, { config, pools, clock }) => {
  const auth = requireCustomer(config);
  const node = new HttpLightningNode(config.LIGHTNING_NODE_URL);

  app.openapi(
    createRoute({
      method: 'post',
      path: '/accounts/{id}/deposit-invoices',
      tags: ['bitcoin'],
      summary: "Deposit over lightning: an invoice of our node that credits one's own account, once, when it is paid",
      description:
        `The amount is SAT, more than zero and at most ${MAX_DEPOSIT_INVOICE.amount} (400 naming \`amount.…\`). ` +
        'The invoice can be paid for one hour; what the node reports received is credited (`invoice.paid`), once per payment hash, ' +
        'even after `expiresAt`. 503 when the lightning node cannot issue one (nothing stored; try again).',
      security: BEARER_AUTH,
      middleware: [auth, idempotencyKeys(new PgIdempotencyStore(pools.write))] as const,
      request: {
        params: AccountIdParam,
        body: { required: true, content: { 'application/json': { schema: RequestDepositInvoice } } },
      },
      responses: { 201: jsonContent(DepositInvoiceView, 'The invoice, open'), ...problemResponses(400, 401, 403, 503) },
    }),
    async (c) => {
      const accountId = c.req.valid('param').id;
      const { amount } = c.req.valid('json');
      const record = await issueDepositInvoice(
        { pool: pools.write, node },
        { customerId: c.get('customerId'), accountId, amount, invoiceId: await idForThisRequest(c, 'deposit-invoice') },
      ).catch((error: unknown) => {
        // A dependency down, not our fault nor the caller's: 503, and the Idempotency-Key is freed for the retry.
        if (error instanceof LightningNodeUnavailable)
          throw new HTTPException(503, { message: `${error.message}; try again`, cause: error });
        throw error;
      });
      return c.json(depositInvoiceView(record, clock.now()), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/accounts/{id}/deposit-invoices/{invoiceId}',
      tags: ['bitcoin'],
      summary: "One deposit invoice of one's own account: open, paid (with what was received) or expired",
      security: BEARER_AUTH,
      middleware: [auth] as const,
      request: { params: DepositInvoiceParams },
      responses: { 200: jsonContent(DepositInvoiceView, 'The deposit invoice'), ...problemResponses(400, 401, 403, 404) },
    }),
    async (c) => {
      const { id, invoiceId } = c.req.valid('param');
      assertAccountOwner(id, c.get('customerId'));
      const record = await findDepositInvoice(pools.read, invoiceId);
      if (!record || record.accountId !== id) throw new NotFound(`no deposit invoice ${invoiceId} for account ${id}`);
      return c.json(depositInvoiceView(record, clock.now()), 200);
    },
  );
};
