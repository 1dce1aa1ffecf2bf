import type pg from 'pg';
import { Account } from '../accounting/domain.ts';
import { addAccount } from '../accounting/repository.ts';
import type { Clock } from '../kernel/clock.ts';
import { Unauthorized } from '../kernel/errors.ts';
import { newId } from '../kernel/ids.ts';
import type { Sql } from '../platform/db/pools.ts';
import { retryOnConflict } from '../platform/db/retry-on-conflict.ts';
import { runInUnitOfWork } from '../platform/db/unit-of-work.ts';
import { issueToken } from '../platform/http/auth.ts';
import { newUser, normalizeUsername, parsePassword, parseUsername, SESSION_LIFETIME_SECONDS } from './domain.ts';
import { beginLoginAttempt, withdrawLoginAttempt } from './login-throttle.ts';
import { hashPassword, verifyAgainstDummy, verifyPassword } from './password-hashing.ts';
import { findCredentials, insertUser, usernameExists, usernameTaken } from './repository.ts';

/**
 * Registers a user and opens their SAT account, in one unit of work: a user without an
 * account, or an account of a registration that failed, never exists. The password is
 * hashed before the transaction opens, so no connection waits on the hash.
 */
export async function register(pool: pg.Pool, input: { username: string; password: string }): Promise<{ id: string; username: string }> {
  const username = parseUsername(input.username);
  const password = parsePassword(input.password);
  // Spares the hash for a name already taken; a race past this check meets the unique constraint.
  if (await usernameExists(pool, username)) throw usernameTaken(username);
  const passwordHash = await hashPassword(password);
  const id = newId();
  await retryOnConflict(() =>
    runInUnitOfWork(pool, async (uow) => {
      await insertUser(uow, newUser(id, username, passwordHash));
      addAccount(uow, Account.open(id));
    }),
  );
  return { id, username };
}

/** The one answer for an unknown username and a wrong password alike (same status, same body). */
export const WRONG_CREDENTIALS = 'wrong username or password';

export type LogInResult = { kind: 'session'; token: string; expiresAt: Date } | { kind: 'locked'; retryAfterSeconds: number };

/**
 * Logs a user in: a session token (HS256 with AUTH_SECRET, `sub` the user id) valid for
 * `SESSION_LIFETIME_SECONDS`. An unknown username costs the same hash as a wrong password
 * and gets the same Unauthorized, and counts towards the same throttle, so neither the
 * answer, its timing nor the lock says whether a username is registered. A locked
 * username is refused before its password is looked at.
 */
export async function logIn(
  deps: { write: Sql; read: Sql; authSecret: string; clock: Clock },
  input: { username: string; password: string },
): Promise<LogInResult> {
  const username = normalizeUsername(input.username);
  const password = input.password.normalize('NFC');
  const attempt = await beginLoginAttempt(deps.write, username);
  if (attempt.kind === 'locked') return attempt;
  const credentials = await findCredentials(deps.read, username);
  let verified = false;
  if (credentials) verified = await verifyPassword(password, credentials.passwordHash);
  else await verifyAgainstDummy(password);
  if (!credentials || !verified) throw new Unauthorized(WRONG_CREDENTIALS);
  await withdrawLoginAttempt(deps.write, attempt.attemptId);
  // Whole seconds: the token's `exp` is in seconds, and `expiresAt` must be that instant exactly.
  const expiresAt = new Date((Math.floor(deps.clock.now().getTime() / 1000) + SESSION_LIFETIME_SECONDS) * 1000);
  return { kind: 'session', token: await issueToken(deps.authSecret, credentials.id, expiresAt), expiresAt };
}
