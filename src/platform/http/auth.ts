import { createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify, SignJWT, type JWTVerifyGetKey } from 'jose';
import { createMiddleware } from 'hono/factory';
import { HTTPException } from 'hono/http-exception';
import { Forbidden, Unauthorized } from '../../kernel/errors.ts';
import type { Config } from '../config/config.ts';
import type { AppEnv } from './app-env.ts';
import { parameterControlCharacterErrors } from './request-hardening.ts';

/** What the auth middleware needs from the configuration. */
export type AuthSettings = Pick<Config, 'AUTH_SECRET' | 'AUTH_JWKS_URL' | 'AUTH_ISSUER' | 'AUTH_AUDIENCE'>;

/** Algorithms an external identity provider may sign with; our own tokens are HS256. */
const PROVIDER_ALGORITHMS = ['RS256', 'ES256'];

/**
 * Bearer JWT auth, on WebCrypto via jose, so it runs on Node and Deno alike. Sets
 * `customerId` (the token's `sub`) for the handlers after it. Two kinds of token:
 *
 * - our own, HS256 with AUTH_SECRET (`POST /sessions`, `npm run token`);
 * - with AUTH_JWKS_URL set, an external identity provider's, RS256 or ES256 with a key
 *   from its JWKS, its `iss` and `aud` checked against AUTH_ISSUER and AUTH_AUDIENCE
 *   (loadConfig refuses AUTH_JWKS_URL without both: a JWKS alone, such as a big
 *   provider's shared one, would let in tokens the provider made for anyone else).
 *
 * The token's header `alg` picks the verifier, and each verifier allows only its own
 * algorithms: an HS256 token is never checked against the JWKS, and an RS256 token never
 * against the secret, so a provider's public key used as an HMAC secret gets nowhere;
 * `none` and everything else are refused. The JWKS is fetched by jose when first needed
 * and cached (refetched for an unknown `kid`, at most every 30 s), one cache per
 * middleware. A provider that cannot be reached is a 503, not a 401: the token may be good.
 *
 * `exp` is required (docs/design.md, property 12): a token without one would be valid
 * forever, so it is a 401 like an expired one. A `sub` with control characters is
 * refused too: customer ids end up in Postgres text columns and logs.
 */
export function requireCustomer(settings: AuthSettings) {
  const secret = new TextEncoder().encode(settings.AUTH_SECRET);
  const provider = settings.AUTH_JWKS_URL ? providerKeys(new URL(settings.AUTH_JWKS_URL)) : undefined;
  const providerClaims = {
    algorithms: PROVIDER_ALGORITHMS,
    requiredClaims: ['exp', 'sub'],
    ...(settings.AUTH_ISSUER ? { issuer: settings.AUTH_ISSUER } : {}),
    ...(settings.AUTH_AUDIENCE ? { audience: settings.AUTH_AUDIENCE } : {}),
  };
  return createMiddleware<AppEnv>(async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) throw new Unauthorized('missing bearer token: send "Authorization: Bearer <JWT>"');
    const token = match[1];
    let subject: string | undefined;
    try {
      const { alg } = decodeProtectedHeader(token);
      if (alg === 'HS256') {
        subject = (await jwtVerify(token, secret, { algorithms: ['HS256'], requiredClaims: ['exp', 'sub'] })).payload.sub;
      } else if (provider && typeof alg === 'string' && PROVIDER_ALGORITHMS.includes(alg)) {
        subject = (await jwtVerify(token, provider, providerClaims)).payload.sub;
      } else {
        throw new Error(`algorithm ${JSON.stringify(alg ?? null)} is not accepted`);
      }
    } catch (error) {
      if (error instanceof ProviderUnavailable) {
        throw new HTTPException(503, { message: "the identity provider's keys could not be fetched: try again later" });
      }
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

class ProviderUnavailable extends Error {}

/**
 * The provider's JWKS as a key resolver. "No key for this token" stays a verification
 * failure (401); any other failure to get keys (unreachable, timeout, not a JWKS) is the
 * provider's, and becomes ProviderUnavailable.
 */
function providerKeys(url: URL): JWTVerifyGetKey {
  const jwks = createRemoteJWKSet(url);
  return async (header, token) => {
    try {
      return await jwks(header, token);
    } catch (error) {
      if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) throw error;
      throw new ProviderUnavailable((error as Error).message, { cause: error });
    }
  };
}

/**
 * Issues one of our own tokens: sessions (`POST /sessions`), local use and tests
 * (`npm run token -- <customerId>`). It always carries `exp`: `expiresIn` is a span
 * ('12h') or the instant itself.
 */
export async function issueToken(secret: string, customerId: string, expiresIn: string | Date = '12h'): Promise<string> {
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
