import { createRoute, z } from '@hono/zod-openapi';
import { newId } from '../kernel/ids.ts';
import { PgIdempotencyStore } from '../platform/db/idempotency-store.ts';
import type { RegisterRoutes } from '../platform/http/app.ts';
import { requireCustomer } from '../platform/http/auth.ts';
import { idempotencyKeys, idForThisRequest } from '../platform/http/idempotency.ts';
import { AccountIdParam, BEARER_AUTH, jsonContent, MoneySchema, MoneyView, problemResponses } from '../platform/http/schemas.ts';
import { getAccount } from './queries.ts';
import { transferFunds } from './transfers.ts';
import { assertAccountOwner, deposit } from './use-cases.ts';

export const AccountView = z
  .object({ id: z.string(), balance: MoneyView, reserved: MoneyView, available: MoneyView, version: z.number().int() })
  .openapi('Account', { description: "A SAT account; its id is the owner's customer id. `available = balance - reserved`." });

const Deposit = z.object({ amount: MoneySchema }).openapi('Deposit');
const Deposited = z.object({ postingId: z.string(), amount: MoneyView, account: AccountView }).openapi('Deposited');

const AccountId = z.string().min(1).max(200);
const TransferRequest = z
  .object({
    fromAccountId: AccountId.openapi({ description: 'your own account (its id is your customer id)' }),
    toAccountId: AccountId.openapi({ description: "the receiving customer's account" }),
    amount: MoneySchema,
  })
  .openapi('TransferRequest');
const Transfer = z
  .object({ id: z.string(), fromAccountId: z.string(), toAccountId: z.string(), amount: MoneyView, account: AccountView })
  .openapi('Transfer', { description: "`account` is the sender's account after the transfer" });

export const registerAccountingRoutes: RegisterRoutes = (app, { config, pools }) => {
  const auth = requireCustomer(config);

  // Test deposits credit SAT from nowhere: served only where TEST_DEPOSITS=on (npm run dev,
  // the tests). Off (the default) the route is not registered at all: a 404, and absent
  // from the OpenAPI document.
  if (config.TEST_DEPOSITS === 'on') {
    app.openapi(
      createRoute({
        method: 'post',
        path: '/accounts/{id}/deposits',
        tags: ['accounting'],
        summary:
          "Test deposit: credit SAT to one's own account (stands in for a received lightning payment; the first deposit opens it). Served only with TEST_DEPOSITS=on",
        security: BEARER_AUTH,
        middleware: [auth, idempotencyKeys(new PgIdempotencyStore(pools.write))] as const,
        request: { params: AccountIdParam, body: { required: true, content: { 'application/json': { schema: Deposit } } } },
        responses: { 201: jsonContent(Deposited, 'Deposited'), ...problemResponses(400, 401, 403, 409) },
      }),
      async (c) => {
        const accountId = c.req.valid('param').id;
        const { amount } = c.req.valid('json');
        const customerId = c.get('customerId');
        const { postingId } = await deposit(pools.write, {
          accountId,
          customerId,
          amount,
          postingId: await idForThisRequest(c, 'deposit'),
        });
        return c.json({ postingId, amount: amount.toJSON(), account: await getAccount(pools.write, accountId) }, 201);
      },
    );
  }

  app.openapi(
    createRoute({
      method: 'post',
      path: '/transfers',
      tags: ['accounting'],
      summary: "Move SAT from one's own account to another customer's, in one posting; never beyond `available`",
      security: BEARER_AUTH,
      middleware: [auth, idempotencyKeys(new PgIdempotencyStore(pools.write))] as const,
      request: { body: { required: true, content: { 'application/json': { schema: TransferRequest } } } },
      responses: { 201: jsonContent(Transfer, 'Transferred'), ...problemResponses(400, 401, 403, 404, 409, 422) },
    }),
    async (c) => {
      const { fromAccountId, toAccountId, amount } = c.req.valid('json');
      const transferId = (await idForThisRequest(c, 'transfer')) ?? newId();
      await transferFunds(pools.write, { transferId, customerId: c.get('customerId'), fromAccountId, toAccountId, amount });
      const account = await getAccount(pools.write, fromAccountId);
      return c.json({ id: transferId, fromAccountId, toAccountId, amount: amount.toJSON(), account }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/accounts/{id}',
      tags: ['accounting'],
      summary: "Balance, reserved and available of one's own account (empty until the first deposit)",
      security: BEARER_AUTH,
      middleware: [auth] as const,
      request: { params: AccountIdParam },
      responses: { 200: jsonContent(AccountView, 'The account'), ...problemResponses(401, 403) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      assertAccountOwner(id, c.get('customerId'));
      return c.json(await getAccount(pools.read, id), 200);
    },
  );
};
