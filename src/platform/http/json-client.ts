import { z } from 'zod';

/**
 * Outbound JSON calls to the outside world (payment provider, carrier, lightning node),
 * fetch-only so the adapters run on any runtime. A non-2xx answer is an `HttpCallError`
 * carrying the status and body, so a caller (an activity) can tell a refusal that a
 * retry cannot change (4xx) from a failure worth retrying (5xx, 429, network).
 */
export class HttpCallError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    what: string,
  ) {
    super(`${what} answered HTTP ${status}: ${body.slice(0, 500)}`);
    this.name = 'HttpCallError';
  }

  get retryable(): boolean {
    return this.status >= 500 || this.status === 429 || this.status === 408;
  }
}

export interface JsonCall<T> {
  method: 'GET' | 'POST';
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Parses the 2xx answer: what comes from outside is checked like any other input. */
  response: z.ZodType<T>;
  /** Names the call in errors, e.g. `payment provider POST /charges`. */
  what: string;
  timeoutMs?: number;
}

export async function callJson<T>(call: JsonCall<T>): Promise<T> {
  const response = await fetch(call.url, {
    method: call.method,
    headers: { accept: 'application/json', ...(call.body === undefined ? {} : { 'content-type': 'application/json' }), ...call.headers },
    body: call.body === undefined ? undefined : JSON.stringify(call.body),
    signal: AbortSignal.timeout(call.timeoutMs ?? 10_000),
  });
  const text = await response.text();
  if (!response.ok) throw new HttpCallError(response.status, text, call.what);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${call.what} answered HTTP ${response.status} with a body that is not JSON`);
  }
  const parsed = call.response.safeParse(json);
  if (!parsed.success) throw new Error(`${call.what} answered an unexpected body: ${parsed.error.message}`);
  return parsed.data;
}

/**
 * A request the other side may turn down because it is too late (cancel a booking, void
 * a charge): true when it was done, false when the answer is 409; anything else fails as
 * `callJson` does.
 */
export async function doneUnlessTooLate(call: Omit<JsonCall<unknown>, 'response'>): Promise<boolean> {
  try {
    await callJson({ ...call, response: z.unknown() });
    return true;
  } catch (error) {
    if (error instanceof HttpCallError && error.status === 409) return false;
    throw error;
  }
}

/** Joins a base URL (with or without a trailing slash) and a path. */
export function joinUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, '')}${path}`;
}
