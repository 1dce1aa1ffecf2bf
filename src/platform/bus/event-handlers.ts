import { z } from 'zod';
import type { DomainEvent } from '../../kernel/aggregate.ts';
import { CURRENCIES, type Currency } from '../../kernel/money.ts';
import type { Message } from '../db/outbox.ts';
import type { HandlerContext, MessageBus } from './message-bus.ts';

/** Where a domain event came from: the unit of work puts this on each of its outbox messages. */
export interface EventEnvelope {
  aggregateType: string;
  aggregateId: string;
  aggregateVersion: number;
}

/** One type of a domain event union, as its handler sees it: the event (JSON form) and where it came from. */
export type OutboxEvent<E extends DomainEvent, T extends E['type']> = Extract<E, { type: T }> & EventEnvelope;

/** What the outbox message carries for that event: everything but `type`, which is the message's. */
export type OutboxPayload<E extends DomainEvent, T extends E['type']> = Omit<Extract<E, { type: T }>, 'type'> & EventEnvelope;

/** Schemas for the outbox payloads of a union's event types (those somebody consumes). */
export type OutboxPayloadSchemas<E extends DomainEvent> = { [T in E['type']]?: z.ZodType<OutboxPayload<E, T>> };

/** The envelope's fields, for a payload schema to extend: `eventPayload({ sellerId: z.string(), … })`. */
export function eventPayload<S extends z.ZodRawShape>(shape: S) {
  return z.object({
    aggregateType: z.string().min(1),
    aggregateId: z.string().min(1),
    aggregateVersion: z.number().int().positive(),
    ...shape,
  });
}

/** A MoneyJson as events carry it (`Money#toJSON`). */
export const MoneyJsonSchema = z.object({
  amount: z.string().regex(/^\d+(\.\d+)?$/),
  currency: z.enum(CURRENCIES as [Currency, ...Currency[]]),
});

/** An outbox message whose payload is not what its type promises: a bug upstream, or a message from an older writer. */
export class InvalidMessagePayload extends Error {
  constructor(
    readonly messageType: string,
    readonly messageId: string,
    readonly issues: { path: string; message: string }[],
  ) {
    super(
      `invalid payload of ${messageType} message ${messageId}: ` +
        issues.map((issue) => `${issue.path || '(payload)'}: ${issue.message}`).join('; '),
    );
    this.name = 'InvalidMessagePayload';
  }
}

/**
 * A message's payload through its schema: to the handler the outbox is the outside
 * world, so a payload that does not fit fails here, loudly, naming the message type and
 * each field, instead of somewhere deep in the handler (or not at all).
 */
export function parsePayload<P>(message: Message, schema: z.ZodType<P>): P {
  const parsed = schema.safeParse(message.payload);
  if (parsed.success) return parsed.data;
  throw new InvalidMessagePayload(
    message.type,
    message.id,
    parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message })),
  );
}

/** What a typed handler sees besides its event: the message's id (to deduplicate on) and the bus context. */
export interface EventHandlerContext extends HandlerContext {
  readonly messageId: string;
}

export type EventHandler<E extends DomainEvent, T extends E['type']> = (
  event: OutboxEvent<E, T>,
  context: EventHandlerContext,
) => Promise<void>;

/**
 * Typed subscriptions to one domain event union's messages:
 * `const handle = eventHandlers<AuctionEvent>(bus); handle('AuctionCreated', 'auctions.x', schema, async (event) => …)`.
 * Each message's payload is parsed by the schema at the handler's entry (`InvalidMessagePayload`
 * if it does not fit), and the handler gets the domain event, typed by the union, with its envelope.
 */
export function eventHandlers<E extends DomainEvent>(bus: MessageBus) {
  return function handle<T extends E['type']>(
    type: T,
    name: string,
    schema: z.ZodType<OutboxPayload<E, T>>,
    handler: EventHandler<E, T>,
  ): void {
    bus.subscribe(type, name, async (message, context) => {
      const payload = parsePayload(message, schema);
      await handler({ ...payload, type } as OutboxEvent<E, T>, { ...context, messageId: message.id });
    });
  };
}
