import { Conflict } from '../kernel/errors.ts';
import type { Sql } from '../platform/db/pools.ts';
import type { UnitOfWork } from '../platform/db/unit-of-work.ts';
import type { PasswordHash, User } from './domain.ts';

const UNIQUE_VIOLATION = '23505';

/**
 * Writes a new user in the unit of work's transaction, at once (not at flush: a user is
 * no tracked aggregate, see domain.ts), so a taken username fails the use case before
 * anything else is written, and the rollback undoes the rest.
 */
export async function insertUser(uow: UnitOfWork, user: User): Promise<void> {
  try {
    await uow.sql.query(`INSERT INTO users (id, username, password_hash, version) VALUES ($1, $2, $3, 1)`, [
      user.id,
      user.username,
      user.passwordHash,
    ]);
  } catch (error) {
    // A registration that raced ours for the username committed first: the name is
    // taken, a 409. (Not a ConcurrencyConflict: retrying would meet the same row.)
    const { code, constraint } = error as { code?: string; constraint?: string };
    if (code === UNIQUE_VIOLATION && constraint === 'users_username_unique') throw usernameTaken(user.username);
    throw error;
  }
}

export function usernameTaken(username: string): Conflict {
  return new Conflict(`the username "${username}" is taken`);
}

export async function usernameExists(sql: Sql, username: string): Promise<boolean> {
  const { rowCount } = await sql.query(`SELECT 1 FROM users WHERE username = $1`, [username]);
  return (rowCount ?? 0) > 0;
}

/** What a login needs: the user's id and hash. Read outside a unit of work: a login changes no user. */
export async function findCredentials(sql: Sql, username: string): Promise<{ id: string; passwordHash: PasswordHash } | undefined> {
  const { rows } = await sql.query<{ id: string; password_hash: string }>(`SELECT id, password_hash FROM users WHERE username = $1`, [
    username,
  ]);
  const row = rows[0];
  return row ? { id: row.id, passwordHash: row.password_hash as PasswordHash } : undefined;
}
