import { createRoute, z } from '@hono/zod-openapi';
import { InvalidInput } from '../kernel/errors.ts';
import type { RegisterRoutes } from '../platform/http/app.ts';
import { problem } from '../platform/http/problem.ts';
import { jsonContent, problemResponses, ProblemSchema } from '../platform/http/schemas.ts';
import {
  LOGIN_FAILURE_LIMIT,
  LOGIN_FAILURE_WINDOW_SECONDS,
  parsePassword,
  parseUsername,
  PASSWORD_MAX,
  PASSWORD_MIN,
  SESSION_LIFETIME_SECONDS,
  USERNAME_MAX,
  USERNAME_MIN,
} from './domain.ts';
import { logIn, register } from './use-cases.ts';

/** A string field checked by a domain rule: its InvalidInput becomes a zod issue on the field, so the 400 names it. */
const checkedBy = (rule: (text: string) => string) => (text: string, ctx: z.RefinementCtx) => {
  try {
    return rule(text);
  } catch (error) {
    if (!(error instanceof InvalidInput)) throw error;
    for (const e of error.errors) ctx.addIssue({ code: 'custom', message: e.message });
    return z.NEVER;
  }
};

const Registration = z
  .object({
    username: z
      .string()
      .openapi({ minLength: USERNAME_MIN, maxLength: USERNAME_MAX, pattern: '^[a-z0-9_.-]+$', example: 'ann.k' })
      .transform(checkedBy(parseUsername)),
    password: z
      .string()
      .openapi({ minLength: PASSWORD_MIN, maxLength: PASSWORD_MAX, description: 'characters, counted after NFC normalization' })
      .transform(checkedBy(parsePassword)),
  })
  .openapi('Registration');

const UserView = z.object({ id: z.string().uuid(), username: z.string() }).openapi('User', {
  description: 'A registered user; the id is the customer id (`sub` of their tokens) and their SAT account id.',
});

// Login takes any plausible username and password: one that could never have been
// registered is simply wrong (401), and counts as a failure like any other.
const Credentials = z
  .object({
    username: z.string().min(1).max(128),
    password: z.string().min(1).max(1024),
  })
  .openapi('Credentials');

const Session = z
  .object({
    token: z.string().openapi({ description: 'Bearer JWT (HS256), `sub` = the user id' }),
    expiresAt: z.string().datetime().openapi({ description: "the token's `exp`" }),
  })
  .openapi('Session');

/**
 * Registration and login. Neither takes an `Idempotency-Key` (a header sent is ignored):
 * the idempotency store keeps a plain SHA-256 of the request body, which here holds the
 * password, and it would keep a session's token as the answer to replay. A registration
 * retried after a lost answer gets 409 (the name is taken, by the first try) and the
 * client logs in; a login has no effect worth running once.
 */
export const registerIdentityRoutes: RegisterRoutes = (app, { config, pools, clock }) => {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/users',
      tags: ['identity'],
      summary: `Register with a username (${USERNAME_MIN}–${USERNAME_MAX} of a-z 0-9 _ . -, unique: 409) and a password (${PASSWORD_MIN}–${PASSWORD_MAX} characters, kept only as an argon2id hash); opens the user's SAT account. No token needed; no Idempotency-Key`,
      request: { body: { required: true, content: { 'application/json': { schema: Registration } } } },
      responses: { 201: jsonContent(UserView, 'Registered'), ...problemResponses(400, 409) },
    }),
    async (c) => {
      const user = await register(pools.write, c.req.valid('json'));
      return c.json(user, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/sessions',
      tags: ['identity'],
      summary: `Log in: a bearer token valid ${SESSION_LIFETIME_SECONDS / 3600} h. A wrong password and an unknown username get the same 401; after ${LOGIN_FAILURE_LIMIT} failures for a username within ${LOGIN_FAILURE_WINDOW_SECONDS / 60} minutes, 429 with Retry-After until the oldest leaves the window, even with the right password`,
      request: { body: { required: true, content: { 'application/json': { schema: Credentials } } } },
      responses: {
        200: jsonContent(Session, 'Logged in'),
        ...problemResponses(400, 401),
        429: {
          description: 'Too many failed logins for this username; `Retry-After` says in how many seconds to try again',
          headers: { 'Retry-After': { schema: { type: 'integer' as const }, description: 'seconds' } },
          content: { 'application/problem+json': { schema: ProblemSchema } },
        },
      },
    }),
    async (c) => {
      const result = await logIn({ write: pools.write, read: pools.read, authSecret: config.AUTH_SECRET, clock }, c.req.valid('json'));
      if (result.kind === 'locked') {
        const p = problem(
          429,
          'Too many failed logins',
          `too many failed logins for this username: try again in ${result.retryAfterSeconds} s`,
        );
        return c.json(p, 429, { 'content-type': 'application/problem+json', 'retry-after': String(result.retryAfterSeconds) });
      }
      return c.json({ token: result.token, expiresAt: result.expiresAt.toISOString() }, 200);
    },
  );
};
