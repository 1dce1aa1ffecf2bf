import { createServer, type Server } from 'node:http';
import { signWebhook } from '../src/platform/http/webhook-signature.ts';
import { freePort } from '../src/platform/launch/free-port.ts';
import type { Random } from './random.ts';

/**
 * How the outside world's webhooks travel for a while: `repeat` delivers each event two
 * or three times (the same id, as a provider's retry does), `reorder` holds events back
 * and lets them go newest first, `delay` holds each for seconds.
 */
export type WebhookTrouble = 'repeat' | 'reorder' | 'delay';

export interface WebhookNetwork {
  /** Where the simulators send their webhooks: `<url>/webhooks/<sender>`. */
  url: string;
  trouble(kind: WebhookTrouble, forMs: number): void;
  heal(): void;
  /** Events taken from a simulator and not yet delivered for good. */
  pending(): number;
  counts: { received: number; deliveries: number; repeated: number; reordered: number; delayed: number };
  /** Each refusal (a 4xx other than 408/429) of a signed event: the platform never refuses a fact, so each one is a finding. */
  refused: { path: string; status: number; body: string; event: string }[];
  close(): Promise<void>;
}

interface Envelope {
  path: string;
  rawBody: string;
  summary: string;
}

const RETRY_MS = [200, 500, 1_000, 2_000, 5_000];
/** A sender retries a refusal (4xx) too, as real providers do, but not for ever: the refusal is a finding either way. */
const REFUSALS_BEFORE_GIVING_UP = 5;

/**
 * The delivery network between the simulators and the API. It answers a simulator at
 * once and then owns the event the way a real provider's queue does: it retries until
 * the API answers 2xx, for as long as the run lasts (a refusal five times at most), and
 * signs each attempt afresh. So a
 * fact is never lost to an API that is down for a while, and every loss the run sees is
 * the platform's own.
 */
export async function startWebhookNetwork(options: {
  apiUrl: () => string;
  secrets: Record<string, string>;
  random: Random;
}): Promise<WebhookNetwork> {
  const { random } = options;
  let kind: WebhookTrouble | undefined;
  let until = 0;
  let closed = false;
  let held: Envelope[] = [];
  let pendingCount = 0;
  const counts = { received: 0, deliveries: 0, repeated: 0, reordered: 0, delayed: 0 };
  const refused: WebhookNetwork['refused'] = [];
  const current = () => (Date.now() < until ? kind : undefined);
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  async function deliverOnce(envelope: Envelope): Promise<void> {
    const secret = options.secrets[envelope.path.replace('/webhooks/', '')];
    let refusals = 0;
    for (let attempt = 0; !closed; attempt++) {
      try {
        counts.deliveries++;
        const response = await fetch(`${options.apiUrl()}${envelope.path}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'webhook-signature': await signWebhook(secret ?? '', envelope.rawBody, Math.floor(Date.now() / 1000)),
          },
          body: envelope.rawBody,
          signal: AbortSignal.timeout(10_000),
        });
        const body = await response.text();
        if (response.ok) return;
        if (response.status < 500 && response.status !== 408 && response.status !== 429) {
          refused.push({ path: envelope.path, status: response.status, body: body.slice(0, 300), event: envelope.summary });
          if (++refusals >= REFUSALS_BEFORE_GIVING_UP) return;
        }
      } catch {
        // The API is down or restarting: try again, as a provider would.
      }
      await sleep(RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)]!);
    }
  }

  /** Delivers with whatever trouble holds now; resolves once every copy has been delivered. */
  async function deliver(envelope: Envelope): Promise<void> {
    pendingCount++;
    try {
      const trouble = current();
      if (trouble === 'delay') {
        counts.delayed++;
        await sleep(random.int(1_000, 8_000));
      }
      if (trouble === 'reorder') {
        counts.reordered++;
        held.push(envelope);
        // The held ones go newest first once the window closes or enough have gathered.
        while (held.includes(envelope) && current() === 'reorder' && held.length < 4 && !closed) await sleep(100);
        releaseHeld();
        return;
      }
      await deliverOnce(envelope);
      if (trouble === 'repeat') {
        const copies = random.int(1, 2);
        counts.repeated += copies;
        for (let copy = 0; copy < copies; copy++) {
          await sleep(random.int(0, 3_000));
          await deliverOnce(envelope);
        }
      }
    } finally {
      pendingCount--;
    }
  }

  function releaseHeld(): void {
    const batch = held.reverse();
    held = [];
    for (const envelope of batch) {
      pendingCount++;
      void deliverOnce(envelope).finally(() => pendingCount--);
    }
  }

  const server: Server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    counts.received++;
    let summary = rawBody.slice(0, 120);
    try {
      const event = JSON.parse(rawBody) as { id?: string; type?: string };
      summary = `${event.type} ${event.id}`;
    } catch {
      // not JSON: delivered as it came, the API will say what it thinks
    }
    void deliver({ path: request.url ?? '/', rawBody, summary });
    response.writeHead(202).end();
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    trouble(troubleKind, forMs) {
      kind = troubleKind;
      until = Date.now() + forMs;
    },
    heal() {
      until = 0;
      releaseHeld();
    },
    pending: () => pendingCount + held.length,
    counts,
    refused,
    close: async () => {
      closed = true;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
