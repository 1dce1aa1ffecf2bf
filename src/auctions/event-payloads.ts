import { z } from 'zod';
import { eventPayload, MoneyJsonSchema, type OutboxPayloadSchemas } from '../platform/bus/event-handlers.ts';
import type { AuctionEvent } from './domain.ts';

const Fulfilment = z.enum(['delivery', 'service']);

/**
 * The outbox payloads of the auction events other code consumes, one schema each; the
 * `satisfies` ties every schema to its event in `AuctionEvent`, so the two cannot drift.
 */
export const auctionEventPayloads = {
  AuctionCreated: eventPayload({
    sellerId: z.string().min(1),
    title: z.string(),
    startingPrice: MoneyJsonSchema,
    endsAt: z.iso.datetime(),
    fulfilment: Fulfilment,
  }),
  AuctionEnded: eventPayload({
    winnerId: z.string().min(1).nullable(),
    winningBid: MoneyJsonSchema.nullable(),
    sellerId: z.string().min(1),
    title: z.string(),
    fulfilment: Fulfilment,
    endsAt: z.iso.datetime(),
  }),
  BidderHasBeenOverbid: eventPayload({ bidderId: z.string().min(1), newPrice: MoneyJsonSchema, title: z.string() }),
  AuctionUnpaid: eventPayload({ winnerId: z.string().min(1), sellerId: z.string().min(1), title: z.string() }),
} satisfies OutboxPayloadSchemas<AuctionEvent>;
