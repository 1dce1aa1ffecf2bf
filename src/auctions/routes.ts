import { createRoute, z } from '@hono/zod-openapi';
import { NotFound } from '../kernel/errors.ts';
import { PgIdempotencyStore } from '../platform/db/idempotency-store.ts';
import type { AppDeps, RegisterRoutes } from '../platform/http/app.ts';
import { assertSelf, requireCustomer } from '../platform/http/auth.ts';
import { idempotencyKeys, idForThisRequest } from '../platform/http/idempotency.ts';
import {
  BEARER_AUTH,
  CustomerIdParam,
  IdParam,
  jsonBody,
  jsonContent,
  MoneySchema,
  MoneyView,
  problemResponses,
} from '../platform/http/schemas.ts';
import { MAX_TITLE } from './domain.ts';
import { getAuction, listActiveAuctions, listBidsOfAuction, listBidsOfCustomer } from './queries.ts';
import { auctionClosingSaga } from '../../workflows/auction-closing.contract.ts';
import { payingForWonItemSaga } from '../../workflows/paying-for-won-item.contract.ts';
import { wakeClosingTimer } from './closing-timer.ts';
import { createAuction, endAuctionEarly, placeBid } from './use-cases.ts';

const AuctionView = z
  .object({
    id: z.string(),
    title: z.string(),
    sellerId: z.string(),
    status: z.enum(['open', 'ended', 'paid', 'refunded', 'unpaid', 'cancelled']),
    startingPrice: MoneyView,
    currentPrice: MoneyView,
    endsAt: z.string(),
    fulfilment: z.enum(['delivery', 'service']),
    bidCount: z.number().int(),
    leaderId: z.string().nullable(),
    winnerId: z.string().nullable(),
    paymentId: z.string().optional(),
    deliveryId: z.string().optional(),
    serviceId: z.string().optional(),
    createdAt: z.string(),
    version: z.number().int(),
  })
  .openapi('Auction');

const CreateAuction = z
  .object({
    title: z.string().min(1).max(MAX_TITLE),
    startingPrice: MoneySchema,
    endsAt: z.iso.datetime({ offset: true }).openapi({ example: '2030-01-01T12:00:00Z' }),
    fulfilment: z.enum(['delivery', 'service']),
  })
  .openapi('CreateAuction');

const PlaceBid = z.object({ amount: MoneySchema }).openapi('PlaceBid');
const PlacedBid = z
  .object({ auctionId: z.string(), bidderId: z.string(), amount: MoneyView, isWinning: z.boolean(), currentPrice: MoneyView })
  .openapi('PlacedBid');
const BidView = z
  .object({ id: z.string(), auctionId: z.string(), bidderId: z.string(), amount: MoneyView, placedAt: z.string() })
  .openapi('Bid');

export const registerAuctionRoutes: RegisterRoutes = (app, deps: AppDeps) => {
  const { config, pools, workflows, clock } = deps;
  const auth = requireCustomer(config);
  const idempotent = idempotencyKeys(new PgIdempotencyStore(pools.write));
  const useCases = { pool: pools.write, clock };
  const taskQueue = config.TEMPORAL_TASK_QUEUE;

  app.openapi(
    createRoute({
      method: 'post',
      path: '/auctions',
      tags: ['auctions'],
      summary: 'Create an auction (the seller is the caller) and start its closing timer',
      security: BEARER_AUTH,
      middleware: [auth, idempotent] as const,
      request: jsonBody(CreateAuction),
      responses: { 201: jsonContent(AuctionView, 'The new auction'), ...problemResponses(400, 401, 422) },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const sellerId = c.get('customerId');
      const requestedId = await idForThisRequest(c, 'auction');
      const { auctionId, endsAt } = await createAuction(useCases, {
        ...input,
        sellerId,
        endsAt: new Date(input.endsAt),
        auctionId: requestedId,
      });
      // The outbox handler of AuctionCreated starts it too, should this call not get through.
      await workflows
        .start(auctionClosingSaga, { auctionId, sellerId, endsAt }, { taskQueue })
        .catch((error) => deps.logger.warn({ err: error, auctionId }, 'closing timer not started yet; the outbox handler will'));
      return c.json((await getAuction(pools.write, auctionId))!, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/auctions',
      tags: ['auctions'],
      summary: 'Auctions taking bids, ending soonest first',
      responses: { 200: jsonContent(z.object({ auctions: z.array(AuctionView) }), 'Active auctions') },
    }),
    async (c) => c.json({ auctions: await listActiveAuctions(pools.read) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/auctions/{id}',
      tags: ['auctions'],
      summary: 'One auction, with paymentId and deliveryId/serviceId once known',
      request: { params: IdParam },
      responses: { 200: jsonContent(AuctionView, 'The auction'), ...problemResponses(400, 404) },
    }),
    async (c) => {
      const auction = await getAuction(pools.read, c.req.valid('param').id);
      if (!auction) throw new NotFound(`no auction ${c.req.valid('param').id}`);
      return c.json(auction, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/auctions/{id}/bids',
      tags: ['auctions'],
      summary: 'The bid history of an auction, highest first',
      request: { params: IdParam },
      responses: { 200: jsonContent(z.object({ bids: z.array(BidView) }), 'Bids'), ...problemResponses(400, 404) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      if (!(await getAuction(pools.read, id))) throw new NotFound(`no auction ${id}`);
      return c.json({ bids: await listBidsOfAuction(pools.read, id) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/auctions/{id}/bids',
      tags: ['auctions'],
      summary: "Bid (the bidder is the caller): above the current price, in the auction's currency",
      security: BEARER_AUTH,
      middleware: [auth, idempotent] as const,
      request: { params: IdParam, ...jsonBody(PlaceBid) },
      responses: { 201: jsonContent(PlacedBid, 'The bid leads'), ...problemResponses(400, 401, 404, 409, 422) },
    }),
    async (c) => {
      const placed = await placeBid(useCases, {
        auctionId: c.req.valid('param').id,
        bidderId: c.get('customerId'),
        amount: c.req.valid('json').amount,
      });
      return c.json(placed, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/auctions/{id}/end',
      tags: ['auctions'],
      summary: 'The seller ends the auction now',
      security: BEARER_AUTH,
      middleware: [auth, idempotent] as const,
      request: { params: IdParam },
      responses: {
        202: jsonContent(
          z.object({ workflowId: z.string(), winnerId: z.string() }),
          'Ended with a winner: the paying-for-won-item saga starts',
        ),
        200: jsonContent(z.object({ winnerId: z.null() }), 'Ended without bids'),
        ...problemResponses(401, 403, 404, 409),
      },
    }),
    async (c) => {
      const auctionId = c.req.valid('param').id;
      const { winnerId } = await endAuctionEarly(useCases, { auctionId, customerId: c.get('customerId') });
      const auction = (await getAuction(pools.write, auctionId))!;
      // The outbox handler of AuctionEnded wakes it too, should this call not get through.
      await wakeClosingTimer(workflows, taskQueue, { auctionId, sellerId: auction.sellerId, endsAt: auction.endsAt }).catch((error) =>
        deps.logger.warn({ err: error, auctionId }, 'closing workflow not woken yet; the outbox handler will'),
      );
      if (!winnerId) return c.json({ winnerId: null }, 200);
      return c.json({ workflowId: payingForWonItemSaga.workflowId(auctionId), winnerId }, 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/customers/{id}/bids',
      tags: ['auctions'],
      summary: "A customer's bids, newest first (own only)",
      security: BEARER_AUTH,
      middleware: [auth] as const,
      request: {
        params: CustomerIdParam,
      },
      responses: {
        200: jsonContent(
          z.object({ bids: z.array(BidView.extend({ auctionTitle: z.string(), auctionStatus: z.string(), isLeading: z.boolean() })) }),
          'Bids',
        ),
        ...problemResponses(401, 403),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      assertSelf(id, c.get('customerId'), 'bids');
      return c.json({ bids: await listBidsOfCustomer(pools.read, id) }, 200);
    },
  );
};
