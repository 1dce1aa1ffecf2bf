import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { idFromRequestKey } from '../../kernel/ids.ts';
import { sha256, toHex } from '../../kernel/sha256.ts';
import type { PgIdempotencyStore } from '../db/idempotency-store.ts';
import type { AppEnv } from './app-env.ts';
import { problem, problemResponse } from './problem.ts';

const KEY = /^[\x21-\x7e]{1,255}$/;

/** Refusals of the request itself rather than of what it asks for: the key stays free. */
const NOT_ACCEPTED = new Set([400, 401, 413, 415]);

/**
 * `Idempotency-Key` support for mutating routes (docs/design.md). Runs after auth, so keys are
 * scoped per customer. The same key with the same method, path and body returns the
 * first response again (marked `Idempotent-Replayed: true`) and performs the effect
 * once; with a different request it is a 422; while the first is still running, a 409.
 * A key is taken only by a request that passed validation: one refused as malformed or
 * invalid (400, 401, 413, 415) stores nothing, so the corrected request may reuse the
 * key, as payment APIs allow. A 5xx releases the key too, so a retry runs afresh. Every
 * other response (2xx, and 403, 404, 409, 422: refusals of a well-formed request) is
 * stored and replayed. "Still running" is a 409 with `Retry-After`, the one 409 that
 * carries it: the running request renews a lease on its key, so a request whose process
 * died frees the key within one lease (`PgIdempotencyStore`), and the retry then runs.
 */
export function idempotencyKeys(store: PgIdempotencyStore) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const key = c.req.header('idempotency-key');
    if (key === undefined) return next();
    if (!KEY.test(key)) {
      return problemResponse(
        problem(400, 'Invalid request', 'Idempotency-Key must be 1 to 255 visible ASCII characters', [
          { path: 'Idempotency-Key', message: 'must be 1 to 255 visible ASCII characters' },
        ]),
      );
    }
    const scope = c.get('customerId') ?? 'anonymous';
    const hash = await requestHash(c.req.method, new URL(c.req.url).pathname, await c.req.text());
    const claim = await store.claim(scope, key, hash);
    switch (claim.kind) {
      case 'replay':
        return new Response(claim.response.body, {
          status: claim.response.status,
          headers: { 'content-type': claim.response.contentType, 'idempotent-replayed': 'true' },
        });
      case 'different_request':
        return problemResponse(
          problem(422, 'Idempotency key reused', 'this Idempotency-Key was already used with a different request', [
            { path: 'Idempotency-Key', message: 'already used with a different request' },
          ]),
        );
      case 'in_progress':
        return problemResponse(problem(409, 'Conflict', 'a request with this Idempotency-Key is still in progress'), {
          'retry-after': '1',
        });
      case 'first':
        break;
    }
    const { claimant } = claim;
    c.set('idempotencyKey', key);
    // A failed release is left to the lease: the key frees itself within one lease, and
    // the request's own answer (or error) is what the client must see.
    const release = () => store.release(scope, key, claimant).catch(() => undefined);
    const renewal = setInterval(() => void store.renew(scope, key, claimant).catch(() => undefined), store.renewEveryMs);
    try {
      try {
        await next();
      } catch (error) {
        await release();
        throw error;
      }
      if (c.res.status >= 500 || NOT_ACCEPTED.has(c.res.status)) {
        await release();
        return;
      }
      const response = {
        status: c.res.status,
        contentType: c.res.headers.get('content-type') ?? 'application/json',
        body: await c.res.clone().text(),
      };
      // The effect has committed: its answer must be stored, or the lease would lapse and
      // a retry would run the effect again. So keep the lease and keep trying through a
      // database restart.
      await untilStored(() => store.complete(scope, key, claimant, response));
    } finally {
      clearInterval(renewal);
    }
  });
}

/**
 * The id of what this request creates, when it carries an Idempotency-Key: derived from
 * the key (`idFromRequestKey`), so a rerun of a request whose first try committed but never
 * answered finds what it made. Undefined without a key: the use case picks a fresh id.
 */
export function idForThisRequest(c: Context<AppEnv>, purpose: string): Promise<string> | undefined {
  const key = c.get('idempotencyKey');
  return key === undefined ? undefined : idFromRequestKey(purpose, c.get('customerId'), key);
}

const STORE_ANSWER_FOR_MS = 30_000;

async function untilStored(store: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + STORE_ANSWER_FOR_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      return await store();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(100 * 2 ** attempt, 2_000)));
    }
  }
}

/** What binds a key to its request: method, path and body. */
export async function requestHash(method: string, pathname: string, body: string): Promise<string> {
  return toHex(await sha256(`${method} ${pathname}\n${body}`));
}
