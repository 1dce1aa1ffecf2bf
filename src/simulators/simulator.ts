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

/** `stop` ends the simulator's own timers (e.g. invoice expiry) before its webhooks are drained. */
export function simulator(app: Hono, webhooks: WebhookSender, stop?: () => void): Simulator {
  return {
    app,
    fetch: (request) => app.fetch(request),
    idle: webhooks.idle,
    close: async () => {
      stop?.();
      await webhooks.close();
    },
  };
}

/** A plain `{ error }` answer: simulators mimic outside APIs, not our problem+json. */
export function fail(c: Context, status: 400 | 404 | 409 | 422, error: string): Response {
  return c.json({ error }, status);
}

type BodyResult<T> = { ok: true; value: T } | { ok: false; response: Response };

/** Parses the JSON body with `schema`; a malformed or invalid body becomes a 400 answer. */
export async function readBody<T>(c: Context, schema: z.ZodType<T>): Promise<BodyResult<T>> {
  let json: unknown;
  try {
    json = await c.req.json();
  } catch {
    return { ok: false, response: fail(c, 400, 'body is not valid JSON') };
  }
  return parseBody(c, schema, json);
}

/** As `readBody`, for a body that may be left out: an empty one is parsed as `{}`. */
export async function readOptionalBody<T>(c: Context, schema: z.ZodType<T>): Promise<BodyResult<T>> {
  const text = await c.req.text();
  if (text.trim() === '') return parseBody(c, schema, {});
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, response: fail(c, 400, 'body is not valid JSON') };
  }
  return parseBody(c, schema, json);
}

function parseBody<T>(c: Context, schema: z.ZodType<T>, json: unknown): BodyResult<T> {
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  const details = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`).join('; ');
  return { ok: false, response: fail(c, 400, `invalid body: ${details}`) };
}
