import type { Context, Hono } from 'hono';
import type { z } from 'zod';
import { createWebhookSender, type WebhookSender } from './webhook-sender.ts';

/** What every simulator is configured with: where its webhooks go and how they behave. */
export interface SimulatorOptions {
  webhookUrl: string;
  webhookSecret: string;
  /** Wait before a webhook's first attempt (default 50 ms). */
  webhookDelayMs?: number;
  /** Send every webhook twice with the same event id, to exercise the receiver's dedup. */
  duplicateWebhooks?: boolean;
  /** Milliseconds since the epoch (default `Date.now`): signatures, timestamps and expiry use it. */
  now?: () => number;
}

/** A simulator: its Hono app plus a handle on the webhooks it has in flight. */
export interface Simulator {
  app: Hono;
  fetch: (request: Request) => Response | Promise<Response>;
  /** Resolves when every webhook sent so far has been delivered or given up on. */
  idle(): Promise<void>;
  /** Drops pending retries and waits for deliveries in flight. */
  close(): Promise<void>;
}

export function webhookSenderFor(options: SimulatorOptions): WebhookSender {
  return createWebhookSender({
    url: options.webhookUrl,
    secret: options.webhookSecret,
    delayMs: options.webhookDelayMs,
    duplicate: options.duplicateWebhooks,
    now: options.now,
  });
}

export function simulator(app: Hono, webhooks: WebhookSender): Simulator {
  return { app, fetch: (request) => app.fetch(request), idle: webhooks.idle, close: webhooks.close };
}

/** A plain `{ error }` answer: simulators mimic outside APIs, not our problem+json. */
export function fail(c: Context, status: 400 | 404 | 409 | 422, error: string): Response {
  return c.json({ error }, status);
}

/** Parses the JSON body with `schema`; a malformed or invalid body becomes a 400 answer. */
export async function readBody<T>(c: Context, schema: z.ZodType<T>): Promise<{ ok: true; value: T } | { ok: false; response: Response }> {
  let json: unknown;
  try {
    json = await c.req.json();
  } catch {
    return { ok: false, response: fail(c, 400, 'body is not valid JSON') };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  const details = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`).join('; ');
  return { ok: false, response: fail(c, 400, `invalid body: ${details}`) };
}
