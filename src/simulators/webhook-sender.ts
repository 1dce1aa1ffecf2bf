import { signWebhook } from '../platform/http/webhook-signature.ts';

/**
 * How the simulators call the platform back, the way a real provider does: each event
 * is `{ id: 'evt_<uuid>', type, data }`, signed over the exact bytes sent, delivered in the
 * background after a delay and retried with backoff until the receiver answers 2xx.
 * Web standards only (fetch, WebCrypto, timers), so it runs on any runtime.
 */
export interface WebhookSenderOptions {
  url: string;
  secret: string;
  /** Wait before the first attempt, so the HTTP answer reaches the caller before its webhook. */
  delayMs?: number;
  /** Deliver every event twice with the same id, to exercise the receiver's dedup. */
  duplicate?: boolean;
  /** Milliseconds since the epoch; signatures carry this clock's seconds. */
  now?: () => number;
  maxAttempts?: number;
  /** First retry waits this long, doubling each time up to `maxBackoffMs`. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Per-attempt limit, so a receiver that never answers cannot stall the queue. */
  attemptTimeoutMs?: number;
  /** Told when an event is abandoned after the last attempt (default: a console warning). */
  onGiveUp?: (event: WebhookEvent, lastFailure: string) => void;
}

export interface WebhookEvent {
  id: string;
  type: string;
  data: Record<string, unknown>;
}

export interface EventToSend {
  type: string;
  data: Record<string, unknown>;
  /**
   * Runs when the event happens (just before its first delivery): the sender's own state
   * change. Returning `false` (exactly; any other value is ignored) says it can no longer
   * happen, say the charge was voided meanwhile: this event and the rest of its `send`
   * are dropped, never delivered.
   */
  happen?: () => unknown;
}

export interface WebhookSender {
  /**
   * Sends the events in the background, in order: each one is delivered (or given up on)
   * before the next happens, unless a `happen` returns `false`. Returns the event ids
   * (of every event asked for, including any dropped later).
   */
  send(...events: EventToSend[]): string[];
  /** Resolves once every delivery started so far, and any started meanwhile, has finished. */
  idle(): Promise<void>;
  /** Stops waiting between retries (pending events are dropped), then waits for what is in flight. */
  close(): Promise<void>;
}

export const DEFAULT_WEBHOOK_DELAY_MS = 50;

export function createWebhookSender(options: WebhookSenderOptions): WebhookSender {
  const {
    url,
    secret,
    delayMs = DEFAULT_WEBHOOK_DELAY_MS,
    duplicate = false,
    now = Date.now,
    maxAttempts = 10,
    backoffMs = 100,
    maxBackoffMs = 5_000,
    attemptTimeoutMs = 5_000,
    onGiveUp = (event, failure) => console.warn(`webhook ${event.type} ${event.id} to ${url} abandoned: ${failure}`),
  } = options;
  const inFlight = new Set<Promise<void>>();
  const stop = new AbortController();

  async function attempt(rawBody: string): Promise<string | undefined> {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          // Signed per attempt: a retry minutes later must still fall inside the receiver's window.
          'webhook-signature': await signWebhook(secret, rawBody, Math.floor(now() / 1000)),
        },
        body: rawBody,
        signal: AbortSignal.any([stop.signal, AbortSignal.timeout(attemptTimeoutMs)]),
      });
      await response.body?.cancel();
      return response.ok ? undefined : `HTTP ${response.status}`;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }

  async function deliver(event: WebhookEvent): Promise<void> {
    const rawBody = JSON.stringify(event);
    let failure = 'not attempted';
    for (let n = 1; n <= maxAttempts && !stop.signal.aborted; n++) {
      const outcome = await attempt(rawBody);
      if (outcome === undefined) return;
      failure = outcome;
      if (n < maxAttempts) await sleep(Math.min(backoffMs * 2 ** (n - 1), maxBackoffMs), stop.signal);
    }
    onGiveUp(event, stop.signal.aborted ? 'sender closed' : failure);
  }

  function track(task: Promise<void>): void {
    const settled = task.catch(() => undefined).finally(() => inFlight.delete(settled));
    inFlight.add(settled);
  }

  async function idle(): Promise<void> {
    while (inFlight.size > 0) await Promise.all(inFlight);
  }

  return {
    send(...events) {
      const withIds = events.map((spec) => ({ spec, event: { id: `evt_${crypto.randomUUID()}`, type: spec.type, data: spec.data } }));
      track(
        (async () => {
          await sleep(delayMs, stop.signal);
          for (const { spec, event } of withIds) {
            if (stop.signal.aborted) return;
            if (spec.happen?.() === false) return;
            await deliver(event);
            if (duplicate) await deliver(event);
          }
        })(),
      );
      return withIds.map(({ event }) => event.id);
    },
    idle,
    async close() {
      stop.abort();
      await idle();
    },
  };
}

/** A timer that ends early (without throwing) when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted || ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
