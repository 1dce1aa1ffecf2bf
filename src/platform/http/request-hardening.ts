import { bodyLimit } from 'hono/body-limit';
import { createMiddleware } from 'hono/factory';
import type { FieldError } from '../../kernel/errors.ts';
import type { AppEnv } from './app-env.ts';
import { problem, problemResponse } from './problem.ts';

/** docs/design.md, property 10: request bodies over 1 MB, webhook bodies over 256 KB, are answered 413. */
export const BODY_LIMIT_BYTES = 1024 * 1024;
export const WEBHOOK_BODY_LIMIT_BYTES = 256 * 1024;
const WEBHOOK_PATHS = '/webhooks/';

/**
 * The control characters text may not carry: Unicode's category Cc (C0 U+0000–U+001F,
 * DEL U+007F, C1 U+0080–U+009F) except TAB, LF and CR. NUL is refused by Postgres
 * (`text` cannot hold it: a 500 at the insert, after the request was half handled);
 * the others are invisible, can rewrite a terminal or a log line (ESC sequences, bare
 * backspaces) and have no use in titles, ids, messages or currency codes. TAB, LF and
 * CR stay allowed: they are ordinary in multi-line text. Format characters (bidi
 * marks, zero-width joiners, U+2028) are not control characters and are let through.
 */
const CONTROL_CHARACTER = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
const CONTROL_CHARACTERS = new RegExp(CONTROL_CHARACTER.source, 'g');
const MESSAGE = 'must not contain control characters (U+0000–U+001F except tab, line feed and carriage return, U+007F–U+009F)';
/** Enough to name what is wrong without echoing a whole hostile body back. */
const MAX_ERRORS = 20;

/** A key as it can be shown in an error path: its control characters as `\uXXXX`. */
const printable = (key: string) => key.replace(CONTROL_CHARACTERS, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);

/**
 * Every string value and object key under `value` that holds a control character, as
 * the problem's `errors` (docs/README.md; dotted paths, array indexes as numbers, like zod's). Iterative, so
 * a deeply nested body cannot overflow the stack.
 */
export function controlCharacterErrors(value: unknown): FieldError[] {
  const errors: FieldError[] = [];
  const pending: [unknown, string][] = [[value, '']];
  while (pending.length > 0 && errors.length < MAX_ERRORS) {
    const [current, path] = pending.pop()!;
    if (typeof current === 'string') {
      if (CONTROL_CHARACTER.test(current)) errors.push({ path, message: MESSAGE });
    } else if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) pending.push([current[i], path ? `${path}.${i}` : String(i)]);
    } else if (current !== null && typeof current === 'object') {
      const entries = Object.entries(current);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, child] = entries[i]!;
        const childPath = path ? `${path}.${printable(key)}` : printable(key);
        if (CONTROL_CHARACTER.test(key)) errors.push({ path: childPath, message: `the key ${MESSAGE}` });
        else pending.push([child, childPath]);
      }
    }
  }
  return errors.slice(0, MAX_ERRORS);
}

/**
 * The 413 closes the connection (RFC 9110 allows it): the unread rest of the body is not
 * worth reading, and a client must not reuse a connection the server is about to drop.
 */
const tooLarge = (what: string, limit: string, bytes: number) => () =>
  problemResponse(problem(413, 'Request body too large', `${what} are limited to ${limit} (${bytes} bytes); this one is larger`), {
    connection: 'close',
  });

/**
 * Hono's own `bodyLimit` (Web-standard, so Node and Deno alike): a declared
 * Content-Length over the limit is refused before a byte is read; a body without one
 * (chunked) is read only up to the limit, then refused. Webhooks get the smaller limit,
 * before their signature is checked, so an unsigned sender cannot make us hash 1 MB.
 */
export function limitRequestBodies() {
  const general = bodyLimit({ maxSize: BODY_LIMIT_BYTES, onError: tooLarge('request bodies', '1 MB', BODY_LIMIT_BYTES) });
  const webhooks = bodyLimit({
    maxSize: WEBHOOK_BODY_LIMIT_BYTES,
    onError: tooLarge('webhook bodies', '256 KB', WEBHOOK_BODY_LIMIT_BYTES),
  });
  return createMiddleware<AppEnv>((c, next) =>
    hasNoBody(c.req.method) ? next() : (c.req.path.startsWith(WEBHOOK_PATHS) ? webhooks : general)(c, next),
  );
}

/**
 * GET and HEAD requests carry no body in the Fetch standard (the Node adapter does not
 * attach one, whatever a client sends), so both checks let them by without looking at
 * the raw request, which the Node adapter would otherwise build in full for every read.
 */
const hasNoBody = (method: string) => method === 'GET' || method === 'HEAD';

/**
 * Refuses (400, `errors` naming each field) any JSON body whose strings or keys hold a
 * control character, for every route and webhook alike, before authentication, an
 * Idempotency-Key or a handler sees it: nothing is claimed, stored or changed. Bodies
 * that are not JSON are left to the route (which answers malformed JSON as before).
 * The body is read as text, which Hono caches: the route's validator and a webhook's
 * signature check still get the very same raw text.
 */
export function refuseControlCharacters() {
  return createMiddleware<AppEnv>(async (c, next) => {
    if (hasNoBody(c.req.method) || !c.req.raw.body) return next();
    const text = await c.req.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return next();
    }
    const errors = controlCharacterErrors(parsed);
    if (errors.length === 0) return next();
    return problemResponse(problem(400, 'Invalid request', 'text in the request body must not contain control characters', errors));
  });
}

/**
 * The same check for path parameters (customer ids are free text there) and query
 * strings, named by parameter; the validation hook runs it for every OpenAPI route.
 */
export function parameterControlCharacterErrors(values: Record<string, string | string[] | undefined>): FieldError[] {
  // Joining a repeated query parameter's values keeps any control character and names it once.
  const flat = Object.fromEntries(
    Object.entries(values).map(([key, value]) => [key, Array.isArray(value) ? value.join('') : (value ?? '')]),
  );
  return controlCharacterErrors(flat);
}
