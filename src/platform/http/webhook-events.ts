import { z } from 'zod';
import { InvalidInput } from '../../kernel/errors.ts';
import type { UnitOfWork } from '../db/unit-of-work.ts';
import type { Logger } from '../log.ts';
import { WebhookEventSchema, type WebhookEvent } from './webhooks.ts';

/**
 * One event type of one sender: the envelope `receiveWebhooks` has already checked
 * (`id`, `type`), with `type` fixed and `data` given its own schema. A sender's module
 * puts these in a `z.discriminatedUnion('type', [...])`.
 */
export function webhookEventOf<const T extends string, D extends z.ZodType>(type: T, data: D) {
  return z.object({ id: WebhookEventSchema.shape.id, type: z.literal(type), data });
}

type WebhookEventOption = z.ZodObject<{ id: z.ZodType<string>; type: z.ZodLiteral<string>; data: z.ZodType }>;

/**
 * Parses a verified webhook event with its sender's union, once. A type the union does
 * not list is `undefined` (the sender may tell us facts we do not use; they are
 * acknowledged, never refused). A listed type whose data does not fit is a 400 naming
 * each field under `data.` (`invalid <sender> event data`), as the receivers always answered.
 */
export function parseWebhookEvent<O extends readonly WebhookEventOption[]>(
  union: z.ZodDiscriminatedUnion<O, 'type'>,
  event: WebhookEvent,
  sender: string,
): z.output<z.ZodDiscriminatedUnion<O, 'type'>> | undefined {
  // Set membership, never a property lookup: a type such as `constructor` finds nothing.
  if (!union.options.some((option) => option.shape.type.values.has(event.type))) return undefined;
  const parsed = union.safeParse(event);
  if (parsed.success) return parsed.data;
  throw new InvalidInput(
    `invalid ${sender} event data`,
    parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message })),
  );
}

/**
 * A `receiveWebhooks` handler for one sender: parses each event with `parse` (400 for a
 * known type whose data does not fit), acknowledges and logs a type we do not use, and
 * hands a known event, typed, to the use case.
 */
export function knownEventsOnly<E>(
  sender: string,
  parse: (event: WebhookEvent) => E | undefined,
  logger: Logger,
  receive: (event: E, uow: UnitOfWork) => Promise<void>,
): (event: WebhookEvent, uow: UnitOfWork) => Promise<void> {
  return async (event, uow) => {
    const known = parse(event);
    if (known === undefined) {
      logger.warn({ type: event.type, id: event.id }, `ignoring an unknown ${sender} event type`);
      return;
    }
    await receive(known, uow);
  };
}
