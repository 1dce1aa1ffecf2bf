import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import { verifyWebhookSignature } from '../../src/platform/http/webhook-signature.ts';

export interface ReceivedWebhook {
  path: string;
  id: string;
  type: string;
  data: Record<string, any>;
}

/**
 * A stand-in for the platform's webhook routes: verifies every request's signature
 * with the real verifier (401 when it does not hold) and records what it accepted.
 * `failNext(n)` answers the next n requests with 500, to watch the sender retry.
 */
export interface WebhookReceiver {
  url: string;
  /** Verified events, in arrival order (repeats included). */
  received: ReceivedWebhook[];
  /** Every request that came in, accepted or not. */
  attempts: number;
  /** Requests whose signature did not verify. */
  rejected: string[];
  failNext(count: number): void;
  close(): Promise<void>;
}

/** `secret` is one secret for every path, or one per path (e.g. `/webhooks/carrier`). */
export async function startWebhookReceiver(secret: string | Record<string, string>): Promise<WebhookReceiver> {
  let failing = 0;
  const app = new Hono();
  const receiver: Omit<WebhookReceiver, 'url' | 'close'> & { failNext(count: number): void } = {
    received: [],
    attempts: 0,
    rejected: [],
    failNext: (count) => void (failing = count),
  };
  app.post('*', async (c) => {
    receiver.attempts++;
    const rawBody = await c.req.text();
    const path = new URL(c.req.url).pathname;
    const check = await verifyWebhookSignature({
      secret: typeof secret === 'string' ? secret : (secret[path] ?? 'no secret for this path'),
      header: c.req.header('webhook-signature'),
      rawBody,
      nowSeconds: Math.floor(Date.now() / 1000),
    });
    if (!check.ok) {
      receiver.rejected.push(check.reason);
      return c.json({ error: check.reason }, 401);
    }
    if (failing > 0) {
      failing--;
      return c.json({ error: 'try again later' }, 500);
    }
    const event = JSON.parse(rawBody) as Omit<ReceivedWebhook, 'path'>;
    receiver.received.push({ path, id: event.id, type: event.type, data: event.data });
    return c.json({ received: true });
  });
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((resolve) => server.once('listening', resolve));
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
