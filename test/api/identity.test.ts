import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type TestPlatform } from '../support/platform.ts';
import { startTestIdentityProvider, type TestIdentityProvider } from '../support/identity-provider.ts';

/**
 * Registration, login and external identity providers end to end, through HTTP only, on
 * a platform whose API also trusts a test identity provider (a real JWKS over HTTP).
 */
let platform: TestPlatform;
let provider: TestIdentityProvider;
/** Every (random) password this file sent: none may be found anywhere in the database afterwards. */
const passwordsSent = new Set<string>();

beforeAll(async () => {
  provider = await startTestIdentityProvider();
  platform = await startPlatform({
    env: { AUTH_JWKS_URL: provider.jwksUrl, AUTH_ISSUER: provider.issuer, AUTH_AUDIENCE: provider.audience },
  });
}, 120_000);
afterAll(async () => {
  await platform?.stop();
  await provider?.close();
});

/** A fresh username per test, so tests share no throttle or user. */
const username = (label: string) => `${label}-${crypto.randomUUID().slice(0, 8)}`;
const password = (label = 'pw') => {
  const value = `${label}-secret-${crypto.randomUUID()}`;
  passwordsSent.add(value);
  return value;
};

const post = (path: string, body: unknown, headers: Record<string, string> = {}) => platform.api.call('POST', path, { body, headers });
const register = (name: unknown, pw: unknown, headers?: Record<string, string>) =>
  post('/users', { username: name, password: pw }, headers);
const logIn = (name: string, pw: string) => post('/sessions', { username: name, password: pw });
const withToken = (token: string) => ({ authorization: `Bearer ${token}` });
const sat = (amount: number) => ({ amount: String(amount), currency: 'SAT' });

const count = async (sql: string, params: unknown[] = []) =>
  Number((await platform.db.pools.read.query<{ n: string }>(`SELECT count(*) AS n FROM (${sql}) AS rows`, params)).rows[0]!.n);

describe('registration', () => {
  it('registers a user, opens their SAT account, and a login gives a token that works', async () => {
    const name = username('ann');
    const pw = password();
    const registered = await register(name, pw);
    expect(registered.status).toBe(201);
    expect(registered.body).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), username: name });
    const { id } = registered.body as { id: string };

    const before = Date.now();
    const session = await logIn(name, pw);
    expect(session.status).toBe(200);
    const { token, expiresAt } = session.body as { token: string; expiresAt: string };
    const claims = decodeJwt(token);
    expect(claims.sub).toBe(id);
    // Twelve hours, and `expiresAt` is the token's `exp` exactly.
    expect(claims.exp! * 1000).toBe(Date.parse(expiresAt));
    expect(Date.parse(expiresAt) - before).toBeGreaterThan(12 * 3600_000 - 5_000);
    expect(Date.parse(expiresAt) - before).toBeLessThanOrEqual(12 * 3600_000 + 1_000);

    // The account was opened at registration (version 1: AccountOpened), empty.
    const account = await platform.api.call('GET', `/accounts/${id}`, { headers: withToken(token) });
    expect(account.status).toBe(200);
    expect(account.body).toEqual({ id, balance: sat(0), reserved: sat(0), available: sat(0), version: 1 });
    const events = await platform.db.pools.read.query(
      `SELECT aggregate_type, event_type AS type FROM event_store WHERE aggregate_id = $1`,
      [id],
    );
    expect(events.rows).toEqual([{ aggregate_type: 'Account', type: 'AccountOpened' }]);
    // Someone else's token does not open it.
    expect((await platform.api.call('GET', `/accounts/${id}`, { as: 'someone-else' })).status).toBe(403);

    // Case does not matter at login: "ANN-…" is "ann-…".
    expect((await logIn(name.toUpperCase(), pw)).status).toBe(200);
  });

  it('refuses a username that is taken (409), and a second account is not opened', async () => {
    const name = username('dup');
    expect((await register(name, password())).status).toBe(201);
    const again = await register(name, password());
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(again.body.detail).toContain(name);
    expect(await count(`SELECT 1 FROM users WHERE username = $1`, [name])).toBe(1);
  });

  it('lets exactly one of many concurrent registrations of one username in', async () => {
    const name = username('race');
    const answers = await Promise.all(Array.from({ length: 8 }, () => register(name, password())));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
    const winner = answers.find((a) => a.status === 201)!.body.id as string;
    expect(await count(`SELECT 1 FROM users WHERE username = $1`, [name])).toBe(1);
    expect(await count(`SELECT 1 FROM accounts a JOIN users u ON u.id::text = a.id WHERE u.username = $1`, [name])).toBe(1);
    expect(await count(`SELECT 1 FROM accounts WHERE id = $1`, [winner])).toBe(1);
  });

  it('refuses bad usernames and passwords with a 400 naming the field, storing nothing', async () => {
    const users = await count(`SELECT 1 FROM users`);
    const accounts = await count(`SELECT 1 FROM accounts`);
    const events = await count(`SELECT 1 FROM event_store`);
    const good = password();
    const cases: [string, unknown, unknown, string[]][] = [
      ['username too short', 'ab', good, ['username']],
      ['username too long', 'x'.repeat(33), good, ['username']],
      ['username in upper case', 'Ann', good, ['username']],
      ['username with a space', 'ann k', good, ['username']],
      ['username with an @', 'ann@example.com', good, ['username']],
      ['username not a string', 42, good, ['username']],
      ['username missing', undefined, good, ['username']],
      ['password of 11 characters', username('weak'), 'elevenchars', ['password']],
      ['password of 129 characters', username('long'), 'x'.repeat(129), ['password']],
      ['password empty', username('empty'), '', ['password']],
      ['password not a string', username('num'), 123456789012345, ['password']],
      ['password missing', username('none'), undefined, ['password']],
      ['both wrong', 'A', 'short', ['username', 'password']],
    ];
    for (const [label, name, pw, fields] of cases) {
      const response = await register(name, pw, { 'idempotency-key': `bad-${crypto.randomUUID()}` });
      expect(response.status, label).toBe(400);
      expect(response.headers.get('content-type'), label).toMatch(/application\/problem\+json/);
      expect(response.body.errors.map((e: { path: string }) => e.path).sort(), label).toEqual([...fields].sort());
      if (typeof pw === 'string' && pw.length > 0) expect(JSON.stringify(response.body), label).not.toContain(pw);
    }
    expect(await count(`SELECT 1 FROM users`)).toBe(users);
    expect(await count(`SELECT 1 FROM accounts`)).toBe(accounts);
    expect(await count(`SELECT 1 FROM event_store`)).toBe(events);
  });

  it('accepts 12 and 128 characters, counted as characters (12 emoji are 24 UTF-16 units)', async () => {
    expect((await register(username('min'), 'x'.repeat(12))).status).toBe(201);
    expect((await register(username('max'), 'y'.repeat(128))).status).toBe(201);
    const emoji = '🔑'.repeat(12);
    const name = username('emoji');
    expect((await register(name, emoji)).status).toBe(201);
    expect((await logIn(name, emoji)).status).toBe(200);
  });
});

describe('login', () => {
  it('answers an unknown user and a wrong password identically, and as slowly', async () => {
    const name = username('known');
    const pw = password();
    expect((await register(name, pw)).status).toBe(201);

    const timed = async (send: () => ReturnType<typeof logIn>) => {
      const started = performance.now();
      const response = await send();
      return { ...response, ms: performance.now() - started };
    };
    const wrongPassword = await timed(() => logIn(name, password('wrong')));
    const unknownUser = await timed(() => logIn(username('nobody'), password('wrong')));
    expect(wrongPassword.status).toBe(401);
    expect(unknownUser.status).toBe(401);
    expect(unknownUser.body).toEqual(wrongPassword.body);
    expect(unknownUser.headers.get('content-type')).toBe(wrongPassword.headers.get('content-type'));
    expect(wrongPassword.body).toMatchObject({ status: 401, detail: 'wrong username or password' });
    // Both paid for an argon2id verification (tens of milliseconds at least); a lookup alone takes a few.
    expect(wrongPassword.ms).toBeGreaterThan(30);
    expect(unknownUser.ms).toBeGreaterThan(30);
  });

  it('locks a username after 5 failures: 429 with Retry-After, even with the right password', async () => {
    const name = username('locked');
    const pw = password();
    expect((await register(name, pw)).status).toBe(201);
    for (let i = 0; i < 5; i++) expect((await logIn(name, password(`wrong${i}`))).status, `failure ${i + 1}`).toBe(401);

    const locked = await logIn(name, password('wrong6'));
    expect(locked.status).toBe(429);
    expect(locked.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const retryAfter = Number(locked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(800);
    expect(retryAfter).toBeLessThanOrEqual(900);
    expect(locked.body).toMatchObject({ status: 429, title: 'Too many failed logins' });

    const rightButLocked = await logIn(name, pw);
    expect(rightButLocked.status).toBe(429);
    expect(rightButLocked.body.token).toBeUndefined();
    // Another spelling of the same username is the same lock.
    expect((await logIn(name.toUpperCase(), pw)).status).toBe(429);
    // Refused attempts are not counted: the lock still ends when the first failure leaves the window.
    expect(await count(`SELECT 1 FROM login_failures WHERE username = $1`, [name])).toBe(5);

    // Once the window has passed (moved back in time here), the right password works again.
    await platform.db.pools.write.query(`UPDATE login_failures SET failed_at = failed_at - interval '15 minutes' WHERE username = $1`, [
      name,
    ]);
    expect((await logIn(name, pw)).status).toBe(200);
  });

  it('throttles an unknown username just the same, so the lock tells nothing', async () => {
    const name = username('ghost');
    for (let i = 0; i < 5; i++) expect((await logIn(name, password())).status).toBe(401);
    expect((await logIn(name, password())).status).toBe(429);
    expect(await count(`SELECT 1 FROM login_failures WHERE username = $1`, [name])).toBe(5);
  });

  it('lets no more than 5 guesses through when they arrive at once', async () => {
    const name = username('burst');
    const pw = password();
    expect((await register(name, pw)).status).toBe(201);
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => logIn(name, password(`guess${i}`))));
    const statuses = answers.map((a) => a.status);
    const failures = statuses.filter((s) => s === 401).length;
    // Attempts in flight count against the limit, so at most 5 were checked (fewer when
    // they overlapped closely), and each refused one left nothing behind.
    expect(failures).toBeLessThanOrEqual(5);
    expect(statuses.filter((s) => s === 429).length).toBe(10 - failures);
    expect(await count(`SELECT 1 FROM login_failures WHERE username = $1`, [name])).toBe(failures);
    for (let i = failures; i < 5; i++) expect((await logIn(name, password(`late${i}`))).status).toBe(401);
    expect((await logIn(name, pw)).status).toBe(429);
  });

  it('refuses malformed credentials with 400 naming the field', async () => {
    const missing = await post('/sessions', { username: 'ann' });
    expect(missing.status).toBe(400);
    expect(missing.body.errors.map((e: { path: string }) => e.path)).toEqual(['password']);
    const empty = await post('/sessions', { username: '', password: 'x' });
    expect(empty.status).toBe(400);
    expect(empty.body.errors.map((e: { path: string }) => e.path)).toEqual(['username']);
  });
});

describe('an external identity provider', () => {
  it('is trusted for RS256 and ES256 tokens with its issuer and audience; sub is the customer', async () => {
    for (const alg of ['RS256', 'ES256'] as const) {
      const customer = `idp|${alg}-${crypto.randomUUID()}`;
      const path = `/accounts/${encodeURIComponent(customer)}`;
      const token = await provider.token(alg, customer);
      const response = await platform.api.call('GET', path, { headers: withToken(token) });
      expect(response.status, alg).toBe(200);
      expect(response.body, alg).toMatchObject({ id: customer, balance: sat(0) });
      // A deposit as that customer lands in their account: the sub is the customer everywhere.
      const deposit = await platform.api.call('POST', `${path}/deposits`, { headers: withToken(token), body: { amount: sat(5) } });
      expect(deposit.status, alg).toBe(201);

      const wrongAudience = await provider.token(alg, customer, { audience: 'another-app' });
      expect((await platform.api.call('GET', path, { headers: withToken(wrongAudience) })).status, alg).toBe(401);
      const wrongIssuer = await provider.token(alg, customer, { issuer: 'https://elsewhere.example/' });
      expect((await platform.api.call('GET', path, { headers: withToken(wrongIssuer) })).status, alg).toBe(401);
      const expired = await provider.token(alg, customer, { expiresAt: Math.floor(Date.now() / 1000) - 120 });
      expect((await platform.api.call('GET', path, { headers: withToken(expired) })).status, alg).toBe(401);
    }
    // Our own HS256 tokens still work beside the provider's.
    expect((await platform.api.call('GET', '/accounts/own-ann', { as: 'own-ann' })).status).toBe(200);
  });
});

describe('the password', () => {
  it('is kept nowhere in the database: not in users, events, outbox, idempotency keys or anywhere else', async () => {
    // Registration and login with an Idempotency-Key: the key is ignored, nothing is stored under it.
    const name = username('keyed');
    const pw = password();
    const keys = await count(`SELECT 1 FROM idempotency_keys`);
    expect((await register(name, pw, { 'idempotency-key': 'register-once' })).status).toBe(201);
    expect((await post('/sessions', { username: name, password: pw }, { 'idempotency-key': 'login-once' })).status).toBe(200);
    expect(await count(`SELECT 1 FROM idempotency_keys`)).toBe(keys);
    expect(
      (await platform.db.pools.read.query(`SELECT password_hash FROM users WHERE username = $1`, [name])).rows[0].password_hash,
    ).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);

    const { rows: columns } = await platform.db.pools.read.query<{ table_name: string; column_name: string }>(
      `SELECT table_name, column_name FROM information_schema.columns
        WHERE table_schema = 'public' AND data_type IN ('text', 'character varying', 'json', 'jsonb', 'bytea')`,
    );
    expect(columns.map((c) => c.table_name)).toEqual(expect.arrayContaining(['users', 'event_store', 'outbox', 'idempotency_keys']));
    expect(passwordsSent.size).toBeGreaterThan(20);
    const found: string[] = [];
    for (const { table_name, column_name } of columns) {
      const { rows } = await platform.db.pools.read.query<{ n: string }>(
        `SELECT count(*) AS n FROM "${table_name}"
          WHERE EXISTS (SELECT 1 FROM unnest($1::text[]) AS p(pw) WHERE strpos("${column_name}"::text, p.pw) > 0)`,
        [[...passwordsSent]],
      );
      if (Number(rows[0]!.n) > 0) found.push(`${table_name}.${column_name}`);
    }
    expect(found).toEqual([]);
  });
});
