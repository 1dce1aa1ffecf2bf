import { z } from 'zod';
import { eventPayload, MoneyJsonSchema, type OutboxPayloadSchemas } from '../platform/bus/event-handlers.ts';
import type { PayoutEvent } from './domain.ts';

const sale = { auctionId: z.string().min(1), sellerId: z.string().min(1), title: z.string() };

/** The outbox payloads of the payout events, tied to `PayoutEvent` by the `satisfies`. */
export const payoutEventPayloads = {
  PayoutScheduled: eventPayload({
    ...sale,
    gross: MoneyJsonSchema,
    fee: MoneyJsonSchema,
    net: MoneyJsonSchema,
    payableAt: z.string(),
    actor: z.literal('platform'),
  }),
  PayoutPaid: eventPayload({ ...sale, net: MoneyJsonSchema, actor: z.literal('timer') }),
} satisfies OutboxPayloadSchemas<PayoutEvent>;
