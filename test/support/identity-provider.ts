import { createServer } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { freePort } from '../../src/platform/launch/free-port.ts';

export type ProviderAlgorithm = 'RS256' | 'ES256';

export interface TestIdentityProvider {
  jwksUrl: string;
  issuer: string;
  audience: string;
  /** A token of this provider; `overrides` change its claims or header to make it wrong. */
  token(
    alg: ProviderAlgorithm,
    subject: string,
    overrides?: { issuer?: string; audience?: string; expiresAt?: number | null; subject?: null; key?: CryptoKey; kid?: string },
  ): Promise<string>;
  /** The RS256 public key as the JWKS serves it, e.g. to abuse as an HMAC secret. */
  publicJwk: JWK;
  /** Requests the JWKS endpoint has answered. */
  fetches(): number;
  close(): Promise<void>;
}

/**
 * An external identity provider for the tests: an RS256 and an ES256 key pair made with
 * jose, the public halves served as `{ keys: [...] }` from a real HTTP server on a free
 * port, and tokens signed with the private halves.
 */
export async function startTestIdentityProvider(): Promise<TestIdentityProvider> {
  const pairs = {
    RS256: await generateKeyPair('RS256', { extractable: true }),
    ES256: await generateKeyPair('ES256', { extractable: true }),
  };
  const publicJwks = await Promise.all(
    (Object.keys(pairs) as ProviderAlgorithm[]).map(async (alg) => ({
      ...(await exportJWK(pairs[alg].publicKey)),
      kid: `test-${alg}`,
      alg,
      use: 'sig',
    })),
  );
  let fetches = 0;
  const server = createServer((request, response) => {
    if (request.url !== '/.well-known/jwks.json') {
      response.writeHead(404).end();
      return;
    }
    fetches++;
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: publicJwks }));
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${port}/`;
  const audience = 'marketplace-api';
  return {
    jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    issuer,
    audience,
    publicJwk: publicJwks[0]!,
    async token(alg, subject, overrides = {}) {
      // `null` leaves the claim out altogether.
      const jwt = new SignJWT({})
        .setProtectedHeader({ alg, typ: 'JWT', kid: overrides.kid ?? `test-${alg}` })
        .setIssuer(overrides.issuer ?? issuer)
        .setAudience(overrides.audience ?? audience)
        .setIssuedAt();
      if (overrides.subject !== null) jwt.setSubject(subject);
      if (overrides.expiresAt !== null) jwt.setExpirationTime(overrides.expiresAt ?? Math.floor(Date.now() / 1000) + 600);
      return jwt.sign(overrides.key ?? pairs[alg].privateKey);
    },
    fetches: () => fetches,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
