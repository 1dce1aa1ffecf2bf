import { z } from 'zod';
import { eventPayload, MoneyJsonSchema, type OutboxPayloadSchemas } from '../platform/bus/event-handlers.ts';
import type { PaymentEvent } from './domain.ts';

const parties = { auctionId: z.string().uuid(), payerId: z.string().min(1), title: z.string() };

/**
 * The outbox payloads of the payment events other code consumes, one schema each; the
 * `satisfies` ties every schema to its event in `PaymentEvent`, so the two cannot drift.
 */
export const paymentEventPayloads = {
  PaymentStarted: eventPayload({
    auctionId: z.string().uuid(),
    payerId: z.string().min(1),
    payeeId: z.string().min(1),
    amount: MoneyJsonSchema,
    title: z.string(),
    payableUntil: z.iso.datetime(),
  }),
  PaymentCaptured: eventPayload({ ...parties, providerChargeId: z.string().min(1), payeeId: z.string().min(1), amount: MoneyJsonSchema }),
  PaymentFailed: eventPayload({ ...parties, attempt: z.number().int(), reason: z.string() }),
  UnwantedCaptureRecorded: eventPayload({
    ...parties,
    aggregateId: z.string().uuid(),
    providerChargeId: z.string().min(1),
    amount: MoneyJsonSchema,
    reason: z.enum(['after-window', 'second-capture']),
  }),
  PaymentRefunded: eventPayload({
    ...parties,
    providerChargeId: z.string().min(1),
    refundId: z.string().min(1),
    amount: MoneyJsonSchema,
    refunded: MoneyJsonSchema,
  }),
} satisfies OutboxPayloadSchemas<PaymentEvent>;
