import { Hono } from 'hono';
import { generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, DEV_SECRETS, loadConfig } from '../../src/platform/config/config.ts';
import type { AppEnv } from '../../src/platform/http/app-env.ts';
import { issueToken, requireCustomer, type AuthSettings } from '../../src/platform/http/auth.ts';
import { problemFromError, problemResponse } from '../../src/platform/http/problem.ts';
import { freePort } from '../../src/platform/launch/free-port.ts';
import { startTestIdentityProvider, type TestIdentityProvider } from '../support/identity-provider.ts';

/**
 * The bearer-token middleware with an external identity provider (a real JWKS over
 * HTTP), through `app.request`: which tokens name a customer and which are a 401.
 */
let provider: TestIdentityProvider;
beforeAll(async () => {
  provider = await startTestIdentityProvider();
});
afterAll(() => provider?.close());

const SECRET = DEV_SECRETS.AUTH_SECRET;

function appWith(settings: Partial<AuthSettings>) {
  const app = new Hono<AppEnv>();
  app.onError((error) => problemResponse(problemFromError(error)));
  app.get('/me', requireCustomer({ AUTH_SECRET: SECRET, ...settings }), (c) => c.json({ customerId: c.get('customerId') }));
  return app;
}

const withProvider = () => appWith({ AUTH_JWKS_URL: provider.jwksUrl, AUTH_ISSUER: provider.issuer, AUTH_AUDIENCE: provider.audience });

async function me(app: Hono<AppEnv>, token: string) {
  const response = await app.request('/me', { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: (await response.json()) as { customerId?: string; detail?: string } };
}

const now = () => Math.floor(Date.now() / 1000);

describe('with AUTH_JWKS_URL set', () => {
  it("accepts the provider's RS256 and ES256 tokens, and our own HS256 ones; sub is the customer", async () => {
    const app = withProvider();
    expect(await me(app, await provider.token('RS256', 'idp|ann'))).toEqual({ status: 200, body: { customerId: 'idp|ann' } });
    expect(await me(app, await provider.token('ES256', 'idp|bob'))).toEqual({ status: 200, body: { customerId: 'idp|bob' } });
    expect(await me(app, await issueToken(SECRET, 'own-carol'))).toEqual({ status: 200, body: { customerId: 'own-carol' } });
  });

  it('refuses, with 401, every token it should not trust', async () => {
    const app = withProvider();
    const stranger = await generateKeyPair('RS256');
    const cases: [string, Promise<string>, RegExp][] = [
      ['wrong issuer', provider.token('RS256', 'eve', { issuer: 'https://elsewhere.example/' }), /"iss" claim/],
      ['wrong audience', provider.token('ES256', 'eve', { audience: 'another-app' }), /"aud" claim/],
      ['expired', provider.token('RS256', 'eve', { expiresAt: now() - 120 }), /"exp" claim timestamp check failed/],
      ['unknown key id', provider.token('RS256', 'eve', { key: stranger.privateKey, kid: 'not-in-the-jwks' }), /no applicable key/],
      [
        'known key id, signed by another key',
        provider.token('RS256', 'eve', { key: stranger.privateKey }),
        /signature verification failed/,
      ],
      [
        'alg none',
        Promise.resolve(
          new UnsecuredJWT({})
            .setSubject('eve')
            .setExpirationTime(now() + 600)
            .encode(),
        ),
        /algorithm "none" is not accepted/,
      ],
      [
        "HS256 signed with the provider's public key as the secret",
        new SignJWT({})
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject('eve')
          .setIssuer(provider.issuer)
          .setAudience(provider.audience)
          .setExpirationTime(now() + 600)
          .sign(new TextEncoder().encode(JSON.stringify(provider.publicJwk))),
        /signature verification failed/,
      ],
      ["the provider's key, no exp", provider.token('RS256', 'eve', { expiresAt: null }), /missing required "exp"/],
      ["the provider's key, no sub", provider.token('ES256', 'eve', { subject: null }), /missing required "sub"/],
      ['HS256 with the wrong secret', issueToken('some-other-secret-of-enough-length', 'eve'), /signature verification failed/],
      ['not a JWT', Promise.resolve('not.a.jwt'), /invalid token/],
    ];
    for (const [label, token, reason] of cases) {
      const answer = await me(app, await token);
      expect(answer.status, label).toBe(401);
      expect(answer.body.customerId, label).toBeUndefined();
      expect(answer.body.detail, label).toMatch(reason);
    }
  });

  it('fetches the JWKS once for many requests (one cache per middleware)', async () => {
    const app = withProvider();
    const before = provider.fetches();
    for (let i = 0; i < 5; i++) expect((await me(app, await provider.token(i % 2 ? 'RS256' : 'ES256', `c${i}`))).status).toBe(200);
    expect(provider.fetches() - before).toBe(1);
  });

  it('answers 503 when the provider cannot be reached: the token may well be good', async () => {
    const port = await freePort();
    const app = appWith({
      AUTH_JWKS_URL: `http://127.0.0.1:${port}/jwks.json`,
      AUTH_ISSUER: provider.issuer,
      AUTH_AUDIENCE: provider.audience,
    });
    expect((await me(app, await provider.token('RS256', 'ann'))).status).toBe(503);
    // Our own tokens do not need the provider.
    expect((await me(app, await issueToken(SECRET, 'ann'))).status).toBe(200);
  });
});

describe('without AUTH_JWKS_URL', () => {
  it("accepts our own tokens only: a provider's RS256 token is a 401", async () => {
    const app = appWith({});
    expect((await me(app, await issueToken(SECRET, 'ann'))).status).toBe(200);
    const before = provider.fetches();
    expect((await me(app, await provider.token('RS256', 'ann'))).status).toBe(401);
    expect(provider.fetches()).toBe(before);
  });
});

describe('the configuration', () => {
  it('refuses AUTH_JWKS_URL without AUTH_ISSUER and AUTH_AUDIENCE, naming each', () => {
    const refusal = (() => {
      try {
        loadConfig({ AUTH_JWKS_URL: 'https://idp.example/.well-known/jwks.json' });
      } catch (error) {
        return error;
      }
    })();
    expect(refusal).toBeInstanceOf(ConfigError);
    expect((refusal as ConfigError).problems.map((p) => p.variable)).toEqual(['AUTH_ISSUER', 'AUTH_AUDIENCE']);
    expect(() =>
      loadConfig({ AUTH_JWKS_URL: 'https://idp.example/.well-known/jwks.json', AUTH_ISSUER: 'https://idp.example/', AUTH_AUDIENCE: 'api' }),
    ).not.toThrow();
  });
});
