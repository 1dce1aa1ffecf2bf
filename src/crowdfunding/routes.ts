import { createRoute, z } from '@hono/zod-openapi';
import { InvalidInput, NotFound } from '../kernel/errors.ts';
import { newId } from '../kernel/ids.ts';
import { PgIdempotencyStore } from '../platform/db/idempotency-store.ts';
import type { AppDeps, RegisterRoutes } from '../platform/http/app.ts';
import { requireCustomer } from '../platform/http/auth.ts';
import { idempotencyKeys, idForThisRequest } from '../platform/http/idempotency.ts';
import { BEARER_AUTH, IdParam, jsonBody, jsonContent, MoneySchema, MoneyView, problemResponses } from '../platform/http/schemas.ts';
import { campaignSaga } from '../../workflows/campaign.contract.ts';
import { DESCRIPTION_MAX, TITLE_MAX } from './domain.ts';
import { decodeCursor, getCampaign, listOpenCampaigns } from './queries.ts';
import { cancelCampaign, donate, openCampaign } from './use-cases.ts';

const STATUSES = ['open', 'succeeded', 'failed', 'cancelled'] as const;

const CampaignView = z
  .object({
    id: z.string(),
    ownerId: z.string(),
    title: z.string(),
    description: z.string(),
    status: z.enum(STATUSES),
    goal: MoneyView,
    raised: MoneyView,
    escrow: MoneyView.openapi({ description: 'held in escrow now: donations neither refunded nor paid to the owner' }),
    donors: z.number().int(),
    endsAt: z.string(),
    closedAt: z.string().nullable(),
    createdAt: z.string(),
    workflowId: z.string(),
    version: z.number().int(),
  })
  .openapi('Campaign');

const CreateCampaign = z
  .object({
    title: z.string().min(1).max(TITLE_MAX),
    description: z.string().max(DESCRIPTION_MAX).optional(),
    goal: MoneySchema.openapi({ description: 'in SAT, more than zero' }),
    endsAt: z.iso.datetime({ offset: true }).openapi({ example: '2030-01-01T12:00:00Z' }),
  })
  .openapi('CreateCampaign');

const Donate = z.object({ amount: MoneySchema }).openapi('Donate');
const Donation = z.object({ id: z.string(), campaignId: z.string(), amount: MoneyView, raised: MoneyView }).openapi('Donation');

const PageQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(20)
    .openapi({ param: { name: 'limit', in: 'query' } }),
  cursor: z
    .string()
    .max(200)
    .optional()
    .openapi({ param: { name: 'cursor', in: 'query' }, description: "the previous page's `nextCursor`" }),
});

export const registerCrowdfundingRoutes: RegisterRoutes = (app, deps: AppDeps) => {
  const { config, pools, workflows, clock, logger } = deps;
  const auth = requireCustomer(config);
  const idempotent = idempotencyKeys(new PgIdempotencyStore(pools.write));
  const useCases = { pool: pools.write, clock };
  const taskQueue = config.TEMPORAL_TASK_QUEUE;

  app.openapi(
    createRoute({
      method: 'post',
      path: '/campaigns',
      tags: ['crowdfunding'],
      summary: 'Open an all-or-nothing campaign (the owner is the caller) and start its `campaign-<id>` saga',
      security: BEARER_AUTH,
      middleware: [auth, idempotent] as const,
      request: jsonBody(CreateCampaign),
      responses: { 201: jsonContent(CampaignView, 'The new campaign'), ...problemResponses(400, 401) },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const ownerId = c.get('customerId');
      const campaignId = (await idForThisRequest(c, 'campaign')) ?? newId();
      const opened = await openCampaign(useCases, { ...input, campaignId, ownerId, endsAt: new Date(input.endsAt) });
      // The outbox handler of CampaignOpened starts it too, should this call not get through.
      await workflows
        .start(campaignSaga, { campaignId, ownerId, endsAt: opened.endsAt.toISOString() }, { taskQueue })
        .catch((error) => logger.warn({ err: error, campaignId }, 'campaign saga not started yet; the outbox handler will'));
      return c.json((await getCampaign(pools.write, campaignId))!, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/campaigns',
      tags: ['crowdfunding'],
      summary: 'Open campaigns, ending soonest first, a page at a time (`?limit=&cursor=`)',
      request: { query: PageQuery },
      responses: {
        200: jsonContent(z.object({ campaigns: z.array(CampaignView), nextCursor: z.string().nullable() }), 'A page of open campaigns'),
        ...problemResponses(400),
      },
    }),
    async (c) => {
      const { limit, cursor } = c.req.valid('query');
      const after = cursor === undefined ? undefined : decodeCursor(cursor);
      if (cursor !== undefined && !after)
        throw new InvalidInput('not a cursor of ours', [{ path: 'cursor', message: "must be a page's nextCursor" }]);
      return c.json(await listOpenCampaigns(pools.read, { limit, after }), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/campaigns/{id}',
      tags: ['crowdfunding'],
      summary: 'One campaign: goal, raised, donors, status',
      request: { params: IdParam },
      responses: { 200: jsonContent(CampaignView, 'The campaign'), ...problemResponses(400, 404) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const campaign = await getCampaign(pools.read, id);
      if (!campaign) throw new NotFound(`no campaign ${id}`);
      return c.json(campaign, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/campaigns/{id}/donations',
      tags: ['crowdfunding'],
      summary: "Donate SAT from one's own account into the campaign's escrow",
      description: '422 for your own campaign or too little available; 409 once the campaign is not open (nothing moves).',
      security: BEARER_AUTH,
      middleware: [auth, idempotent] as const,
      request: { params: IdParam, ...jsonBody(Donate) },
      responses: { 201: jsonContent(Donation, 'Donated'), ...problemResponses(400, 401, 404, 409, 422) },
    }),
    async (c) => {
      const campaignId = c.req.valid('param').id;
      const { amount } = c.req.valid('json');
      const donationId = (await idForThisRequest(c, 'donation')) ?? newId();
      const donated = await donate(useCases, { campaignId, donorId: c.get('customerId'), donationId, amount });
      return c.json({ id: donated.donationId, campaignId, amount: amount.toJSON(), raised: donated.raised.toJSON() }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/campaigns/{id}/cancel',
      tags: ['crowdfunding'],
      summary: 'The owner cancels an open campaign; its saga gives every donation back',
      security: BEARER_AUTH,
      middleware: [auth] as const,
      request: { params: IdParam },
      responses: {
        202: jsonContent(
          z.object({ id: z.string(), status: z.literal('cancelled'), workflowId: z.string() }),
          'Cancelled; refunds under way',
        ),
        ...problemResponses(400, 401, 403, 404, 409),
      },
    }),
    async (c) => {
      const campaignId = c.req.valid('param').id;
      await cancelCampaign(useCases, { campaignId, customerId: c.get('customerId') });
      const campaign = (await getCampaign(pools.write, campaignId))!;
      // The outbox handler of CampaignCancelled tells the saga too, should this call not get through.
      await workflows
        .signalWithStart(
          campaignSaga,
          { campaignId, ownerId: campaign.ownerId, endsAt: campaign.endsAt },
          campaignSaga.signals.campaignCancelled,
          {},
          { taskQueue },
        )
        .catch((error) => logger.warn({ err: error, campaignId }, 'campaign saga not told yet; the outbox handler will'));
      return c.json({ id: campaignId, status: 'cancelled' as const, workflowId: campaignSaga.workflowId(campaignId) }, 202);
    },
  );
};
