import { InvalidInput } from '../kernel/errors.ts';

/**
 * Identity: customers who register with a username and a password, and log in for a
 * session token. A registered user's id is their customer id (the token's `sub`) and so
 * also the id of their SAT account, opened at registration. Customers of an external
 * identity provider, or of `npm run token`, have no user here: a customer is whoever a
 * valid token names (docs/README.md).
 */

export const USERNAME_MIN = 3;
export const USERNAME_MAX = 32;
/** Lower case only, so two usernames that look alike to people are one username here. */
export const USERNAME_CHARACTERS = /^[a-z0-9_.-]+$/;

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 128;

/** Failed logins for one username that lock it for the rest of the window (sliding). */
export const LOGIN_FAILURE_LIMIT = 5;
export const LOGIN_FAILURE_WINDOW_SECONDS = 15 * 60;

/**
 * How long a session token is valid. Twelve hours covers a working day without asking
 * for the password again, and bounds how long a leaked token is useful: there is no
 * revocation list, so the lifetime is the only brake (docs/configuration.md).
 */
export const SESSION_LIFETIME_SECONDS = 12 * 60 * 60;

/** A username as registered: 3–32 characters of `[a-z0-9_.-]`. Refuses anything else (400 naming `username`). */
export function parseUsername(text: string): string {
  const length = [...text].length;
  if (length < USERNAME_MIN || length > USERNAME_MAX) {
    throw invalid('username', `must be ${USERNAME_MIN} to ${USERNAME_MAX} characters`);
  }
  if (!USERNAME_CHARACTERS.test(text)) {
    throw invalid('username', 'may contain only lower-case letters a-z, digits and _ . -');
  }
  return text;
}

/**
 * The key a login is looked up and throttled by. Registration accepts lower case only,
 * so lower-casing here lets "Ann" log in as "ann", and, more to the point, keeps "ANN",
 * "Ann" and "ann" from counting as three usernames with five failures each.
 */
export function normalizeUsername(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

/**
 * A password as it will be hashed: NFC-normalized (the same characters typed on two
 * keyboards can arrive as different code points), then 12–128 characters counted as
 * code points, so an emoji is one character and not two. Refuses anything else
 * (400 naming `password`); the message never repeats the password.
 */
export function parsePassword(text: string): string {
  const normalized = text.normalize('NFC');
  const length = [...normalized].length;
  if (length < PASSWORD_MIN) throw invalid('password', `must be at least ${PASSWORD_MIN} characters`);
  if (length > PASSWORD_MAX) throw invalid('password', `must be at most ${PASSWORD_MAX} characters`);
  return normalized;
}

function invalid(field: string, message: string): InvalidInput {
  return new InvalidInput(`${field} ${message}`, [{ path: field, message }]);
}

/** An encoded password hash (PHC string, e.g. `$argon2id$v=19$…`); never the password itself. */
export type PasswordHash = string & { readonly __brand: 'PasswordHash' };

/**
 * A registered user. Not an event-sourced aggregate: its id is the customer id, which is
 * also the id of the customer's Account, and the event store keys histories by id alone,
 * so the account's `AccountOpened` (same transaction) is the registration's event. Nothing
 * about a user changes yet; when something does (a password change), it gets a version.
 */
export interface User {
  readonly id: string;
  readonly username: string;
  readonly passwordHash: PasswordHash;
}

/** A new user; the hash comes from the password hasher, never the password itself. */
export function newUser(id: string, username: string, passwordHash: PasswordHash): User {
  return { id, username: parseUsername(username), passwordHash };
}
