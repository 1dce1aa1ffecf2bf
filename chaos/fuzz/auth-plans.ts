import fc from 'fast-check';
import { base64url, SignJWT, UnsecuredJWT } from 'jose';
import { issueToken } from '../../src/platform/http/auth.ts';
import { longText, oddUnicodeText } from './hostile-values.ts';

/**
 * Who a request claims to be. A plan names the caller and how the credential is made;
 * the token itself is signed when the request is sent, so expiry is always relative to
 * that moment and a seed replays the same plans.
 */
export type AuthPlan =
  /** A token the API must accept, for `subject`. */
  | { kind: 'valid'; subject: string }
  | { kind: 'none' }
  /** A token the API must refuse (401), however it was made. */
  | { kind: 'forged'; forgery: Forgery; subject: string }
  /** An Authorization header that is not a bearer JWT at all. */
  | { kind: 'malformed'; header: string };

export type Forgery =
  | 'wrong-secret'
  | 'alg-none'
  | 'expired'
  | 'missing-exp'
  | 'missing-sub'
  | 'hs512'
  | 'not-yet-valid'
  | 'control-character-subject'
  | 'tampered-payload';

const FORGERIES: readonly Forgery[] = [
  'wrong-secret',
  'alg-none',
  'expired',
  'missing-exp',
  'missing-sub',
  'hs512',
  'not-yet-valid',
  'control-character-subject',
  'tampered-payload',
];

/** Header values a node client can send (no CR, LF, NUL or other C0 controls but tab); anything else is cut out. */
export const headerSafe = (text: string) => text.replace(/[^\t\x20-\x7e\x80-\xff]/g, '');

const malformedHeader: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    'Bearer',
    'Bearer ',
    'Bearer a.b',
    'Bearer a.b.c',
    'Bearer ...',
    'Basic dXNlcjpwYXNz',
    'bearer  ',
    'Token abc',
    'Bearer\tabc',
  ),
  fc.string({ maxLength: 60 }).map((garbage) => headerSafe(`Bearer ${garbage}`)),
  fc.base64String({ maxLength: 200 }).map((garbage) => `Bearer ${garbage}.${garbage}.${garbage}`),
  longText(1_000, 12_000).map((garbage) => `Bearer ${headerSafe(garbage)}`),
);

/**
 * Customer ids as odd as a valid token can carry: unicode, long, look-alikes of paths
 * and SQL. Validly signed, so the API takes them for customers, and has to store and
 * show them without breaking.
 */
const oddSubject: fc.Arbitrary<string> = fc.oneof(
  oddUnicodeText.filter((s) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/.test(s) && s.length > 0),
  fc.constantFrom('..', '../accounts', "'; DROP TABLE accounts; --", ' ', 'anonymous', '%00'),
  longText(129, 4_000),
);

export function authPlans(callers: { stranger: string; customers: string[] }): fc.Arbitrary<AuthPlan> {
  const known = [callers.stranger, ...callers.customers];
  return fc.oneof(
    { arbitrary: fc.constant(callers.stranger).map((subject) => ({ kind: 'valid' as const, subject })), weight: 5 },
    { arbitrary: fc.constantFrom(...known).map((subject) => ({ kind: 'valid' as const, subject })), weight: 5 },
    { arbitrary: oddSubject.map((subject) => ({ kind: 'valid' as const, subject })), weight: 1 },
    { arbitrary: fc.constant({ kind: 'none' as const }), weight: 2 },
    {
      arbitrary: fc
        .tuple(fc.constantFrom(...FORGERIES), fc.constantFrom(...known))
        .map(([forgery, subject]) => ({ kind: 'forged' as const, forgery, subject })),
      weight: 4,
    },
    { arbitrary: malformedHeader.map((header) => ({ kind: 'malformed' as const, header })), weight: 1 },
  );
}

/** The Authorization header a plan stands for, made now; `undefined` for none. */
export async function authorizationHeader(plan: AuthPlan, secret: string): Promise<string | undefined> {
  switch (plan.kind) {
    case 'none':
      return undefined;
    case 'malformed':
      return plan.header;
    case 'valid':
      return `Bearer ${await issueToken(secret, plan.subject)}`;
    case 'forged':
      return `Bearer ${await forgedToken(plan.forgery, plan.subject, secret)}`;
  }
}

async function forgedToken(forgery: Forgery, subject: string, secret: string): Promise<string> {
  const key = new TextEncoder().encode(secret);
  const now = Math.floor(Date.now() / 1000);
  const signed = (claims: { sub?: string; exp?: number; nbf?: number }, alg = 'HS256', signingKey = key) => {
    const jwt = new SignJWT({}).setProtectedHeader({ alg, typ: 'JWT' }).setIssuedAt(now);
    if (claims.sub !== undefined) jwt.setSubject(claims.sub);
    if (claims.exp !== undefined) jwt.setExpirationTime(claims.exp);
    if (claims.nbf !== undefined) jwt.setNotBefore(claims.nbf);
    return jwt.sign(signingKey);
  };
  switch (forgery) {
    case 'wrong-secret':
      return issueToken(`${secret}-but-not-quite`, subject);
    case 'alg-none':
      return new UnsecuredJWT({})
        .setSubject(subject)
        .setIssuedAt(now)
        .setExpirationTime(now + 3600)
        .encode();
    case 'expired':
      return signed({ sub: subject, exp: now - 120 });
    case 'missing-exp':
      return signed({ sub: subject });
    case 'missing-sub':
      return signed({ exp: now + 3600 });
    case 'hs512':
      return signed({ sub: subject, exp: now + 3600 }, 'HS512');
    case 'not-yet-valid':
      return signed({ sub: subject, exp: now + 7200, nbf: now + 3600 });
    case 'control-character-subject':
      return signed({ sub: `${subject}\u0000`, exp: now + 3600 });
    case 'tampered-payload': {
      // A genuine token whose payload is swapped for another customer's: the signature no longer covers it.
      const [header, , signature] = (await issueToken(secret, subject)).split('.');
      const payload = base64url.encode(JSON.stringify({ sub: `${subject}-other`, exp: now + 3600, iat: now }));
      return `${header}.${payload}.${signature}`;
    }
  }
}

/** A short name of the plan for reports (never the token itself). */
export function describeAuth(plan: AuthPlan): string {
  switch (plan.kind) {
    case 'none':
      return 'no token';
    case 'malformed':
      return `malformed header ${JSON.stringify(plan.header.slice(0, 40))}`;
    case 'valid':
      return `token of ${JSON.stringify(plan.subject.slice(0, 60))}`;
    case 'forged':
      return `forged token (${plan.forgery}) of ${JSON.stringify(plan.subject.slice(0, 60))}`;
  }
}
