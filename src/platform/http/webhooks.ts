import type { Context } from 'hono';
import type pg from 'pg';
import { z } from 'zod';
import type { Clock } from '../../kernel/clock.ts';
import { ConcurrencyConflict, InvalidInput } from '../../kernel/errors.ts';
import { recordInInbox } from '../db/inbox.ts';
import { retryOnConflict } from '../db/retry-on-conflict.ts';
import { runInUnitOfWork, type UnitOfWork } from '../db/unit-of-work.ts';
import { runCausedBy } from '../messages/message-context.ts';
import { problem, problemResponse } from './problem.ts';
import { verifyWebhookSignature } from './webhook-signature.ts';
import { fieldErrors } from './validation.ts';

export const WebhookEventSchema = z.object({
  id: z.string().min(1).max(255),
  type: z.string().min(1),
  data: z.record(z.string(), z.unknown()),
});
export type WebhookEvent = z.infer<typeof WebhookEventSchema>;

export interface WebhookReceiver {
  /** `payments`, `carrier` or `lightning`: names the inbox consumer, so ids are deduplicated per sender. */
  source: string;
  secret: string;
  pool: pg.Pool;
  clock: Clock;
  /**
   * Acts on a verified, first-seen event inside the unit of work that records its id:
   * state changes commit together with the dedup record. A Temporal signal sent here
   * may be repeated if the commit then fails; workflows deduplicate signals by event id.
   */
  handle: (event: WebhookEvent, uow: UnitOfWork) => Promise<void>;
}

/**
 * The Hono handler for one sender's webhooks: verify the signature over the raw body
 * (401 if missing, wrong, or outside the 300 s window), parse the event (400), and
 * handle it once per event id (a repeat is answered 200 with `duplicate: true`).
 *
 * A fact is never refused because our own writers raced it (two events of one payment
 * arriving together, a saga step writing the same aggregate): a lost race runs the
 * handling again from a fresh read, and if every try loses, the answer is 503 with
 * Retry-After, which every sender retries, never a 4xx, which a sender may take as final.
 */
export function receiveWebhooks(receiver: WebhookReceiver) {
  return async (c: Context): Promise<Response> => {
    const rawBody = await c.req.text();
    const check = await verifyWebhookSignature({
      secret: receiver.secret,
      header: c.req.header('webhook-signature'),
      rawBody,
      nowSeconds: Math.floor(receiver.clock.now().getTime() / 1000),
    });
    if (!check.ok) return problemResponse(problem(401, 'Unauthorized', check.reason));
    let json: unknown;
    try {
      json = JSON.parse(rawBody);
    } catch {
      throw new InvalidInput('webhook body is not valid JSON');
    }
    const parsed = WebhookEventSchema.safeParse(json);
    if (!parsed.success) throw new InvalidInput('invalid webhook event', fieldErrors(parsed.error));
    const event = parsed.data;
    let outcome: 'duplicate' | 'processed';
    try {
      // What the event changes names it as the cause, within the request's correlation.
      outcome = await runCausedBy(`webhook:${receiver.source}:${event.id}`, () =>
        retryOnConflict(() =>
          runInUnitOfWork(receiver.pool, async (uow) => {
            if (!(await recordInInbox(uow.sql, `webhook:${receiver.source}`, event.id))) return 'duplicate' as const;
            await receiver.handle(event, uow);
            return 'processed' as const;
          }),
        ),
      );
    } catch (error) {
      if (!(error instanceof ConcurrencyConflict)) throw error;
      return problemResponse(problem(503, 'Service Unavailable', `${error.message}; send the event again`), { 'retry-after': '1' });
    }
    c.set('webhookOutcome', outcome);
    return c.json({ received: true, id: event.id, duplicate: outcome === 'duplicate' }, 200);
  };
}
