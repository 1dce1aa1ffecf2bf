import type { CustomerClient } from '../customer-client.ts';
import type { Random } from '../random.ts';

/** A resource the load made, with the customers allowed to see it: what the fuzz's IDOR probes aim at. */
export interface MadeResource {
  kind: 'auction' | 'payment' | 'delivery' | 'service' | 'withdrawal' | 'account' | 'customer' | 'saga';
  id: string;
  parties: string[];
}

/** What every scenario gets: the API as customers see it, the outside world's test controls, and where to note what it made. */
export interface ScenarioContext {
  client: CustomerClient;
  random: Random;
  /** Every customer of the run; a scenario picks its actors among them. */
  customers: readonly string[];
  /** The simulators' own URLs: the outside world acting (a carrier scanning a parcel, a provider deciding a held card). */
  outside: { payments: string; carrier: string; lightning: string };
  made(resource: MadeResource): void;
  /** Counts what happened, by scenario and outcome (`auction:paid-visa`, `withdrawal:hold-settled`). */
  count(outcome: string): void;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `read` until `done` holds or the time is up; returns the last value either way. */
export async function pollUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number, everyMs = 300): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await sleep(everyMs);
    value = await read();
  }
  return value;
}

/** Reads from a simulator, as the outside world's own records (a charge list, a node's payment). */
export function outsideGet(url: string): Promise<{ status: number; body: any }> {
  return outsideRequest(url, { method: 'GET' });
}

/** Calls a simulator's test control: the outside world acting (a carrier's scan, a provider's decision). */
export function outsidePost(url: string, body: unknown = {}): Promise<{ status: number; body: any }> {
  return outsideRequest(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

async function outsideRequest(url: string, init: RequestInit): Promise<{ status: number; body: any }> {
  const response = await fetch(url, init);
  const text = await response.text();
  try {
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  } catch {
    return { status: response.status, body: text }; // a plain-text 404 of the simulator's router
  }
}
