import { jwtVerify, SignJWT } from 'jose';
import { createMiddleware } from 'hono/factory';
import { Forbidden, Unauthorized } from '../../kernel/errors.ts';
import type { Config } from '../config/config.ts';
import type { AppEnv } from './app-env.ts';
import { parameterControlCharacterErrors } from './request-hardening.ts';

/** What the auth middleware needs from the configuration. */
export type AuthSettings = Pick<Config, 'AUTH_SECRET' | 'AUTH_JWKS_URL' | 'AUTH_ISSUER' | 'AUTH_AUDIENCE'>;

/**
 * Bearer JWT auth (HS256 with AUTH_SECRET, `sub` = customer id), on WebCrypto via jose,
 * so it runs on Node and Deno alike. Sets `customerId` for the handlers after it.
 * `exp` is required (docs/README.md): a token without one would be valid forever, so it is a 401
 * like an expired one. A `sub` with control characters is refused too: customer ids end
 * up in Postgres text columns and logs.
 */
export function requireCustomer(settings: AuthSettings) {
  const key = new TextEncoder().encode(settings.AUTH_SECRET);
  return createMiddleware<AppEnv>(async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) throw new Unauthorized('missing bearer token: send "Authorization: Bearer <JWT>"');
    let subject: string | undefined;
    try {
      const { payload } = await jwtVerify(match[1], key, { algorithms: ['HS256'], requiredClaims: ['exp', 'sub'] });
      subject = payload.sub;
    } catch (error) {
      throw new Unauthorized(`invalid token: ${(error as Error).message}`);
    }
    if (!subject) throw new Unauthorized('invalid token: no "sub" claim');
    if (parameterControlCharacterErrors({ sub: subject }).length > 0) {
      throw new Unauthorized('invalid token: "sub" contains control characters');
    }
    c.set('customerId', subject);
    await next();
  });
}

/** Issues a token for local use and tests (`npm run token -- <customerId>`); it always carries `exp`. */
export async function issueToken(secret: string, customerId: string, expiresIn = '12h'): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(customerId)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(secret));
}

/** Own-only resources: the customer in the path must be the caller (403 otherwise). */
export function assertSelf(customerId: string, caller: string, what: string): void {
  if (customerId !== caller) throw new Forbidden(`you can only see your own ${what}`);
}
