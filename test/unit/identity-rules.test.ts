import { describe, expect, it } from 'vitest';
import { InvalidInput } from '../../src/kernel/errors.ts';
import { newUser, normalizeUsername, parsePassword, parseUsername, type PasswordHash } from '../../src/identity/domain.ts';
import { ARGON2ID_PARAMETERS, hashPassword, verifyAgainstDummy, verifyPassword } from '../../src/identity/password-hashing.ts';

/** Username and password rules of registration, and the password hash. Pure; no database. */
function refusal(run: () => unknown): InvalidInput {
  try {
    run();
  } catch (error) {
    if (error instanceof InvalidInput) return error;
    throw error;
  }
  throw new Error('expected an InvalidInput');
}

describe('a username', () => {
  it.each(['ann', 'a_b', 'ann.k-1', '0123456789', 'x'.repeat(32), '...', '_-.'])('accepts %j', (name) => {
    expect(parseUsername(name)).toBe(name);
  });

  it.each([
    ['too short', 'ab'],
    ['empty', ''],
    ['too long', 'x'.repeat(33)],
    ['upper case', 'Ann'],
    ['a space', 'ann k'],
    ['an @', 'ann@example'],
    ['a non-ASCII letter', 'anné'],
    ['a slash', 'ann/k'],
    ['a newline', 'ann\n'],
  ])('refuses one %s, naming the field', (_label, name) => {
    const error = refusal(() => parseUsername(name));
    expect(error.errors.map((e) => e.path)).toEqual(['username']);
  });

  it('is looked up case-insensitively at login, so case variants share one throttle', () => {
    expect(normalizeUsername('Ann.K')).toBe('ann.k');
    expect(normalizeUsername('ＡＮＮ')).toBe('ann'); // full-width letters fold too
  });
});

describe('a password', () => {
  it('must be 12 to 128 characters, counted as code points', () => {
    expect(parsePassword('x'.repeat(12))).toHaveLength(12);
    expect(parsePassword('x'.repeat(128))).toHaveLength(128);
    // 12 emoji are 24 UTF-16 units but 12 characters.
    expect([...parsePassword('🔑'.repeat(12))]).toHaveLength(12);
    expect(() => parsePassword('🔑'.repeat(129))).toThrow(InvalidInput);
  });

  it.each([
    ['too short', 'x'.repeat(11)],
    ['empty', ''],
    ['too long', 'x'.repeat(129)],
  ])('refuses one %s, naming the field and never repeating it', (_label, password) => {
    const error = refusal(() => parsePassword(password));
    expect(error.errors.map((e) => e.path)).toEqual(['password']);
    if (password) expect(JSON.stringify({ message: error.message, errors: error.errors })).not.toContain(password);
  });

  it('is NFC-normalized, so the same characters typed two ways are one password', () => {
    const composed = 'caf\u00e9-password-1';
    const decomposed = 'cafe\u0301-password-1';
    expect(parsePassword(decomposed)).toBe(parsePassword(composed));
  });
});

describe('a user', () => {
  it('is made with a valid username only', () => {
    const hash = '$argon2id$v=19$m=1,t=1,p=1$c2FsdA$aGFzaA' as PasswordHash;
    expect(newUser('5f0c7c52-8b2f-4d55-9f53-3f7d1d7f2a10', 'ann', hash)).toEqual({
      id: '5f0c7c52-8b2f-4d55-9f53-3f7d1d7f2a10',
      username: 'ann',
      passwordHash: hash,
    });
    expect(() => newUser('id', 'Not Valid', hash)).toThrow(InvalidInput);
  });
});

describe('the password hash', () => {
  it('is argon2id with its parameters, salted, and verifies the password and nothing else', async () => {
    const password = 'correct horse battery staple';
    const hash = await hashPassword(password);
    expect(hash).toMatch(
      new RegExp(
        `^\\$argon2id\\$v=19\\$m=${ARGON2ID_PARAMETERS.memorySize},t=${ARGON2ID_PARAMETERS.iterations},p=${ARGON2ID_PARAMETERS.parallelism}\\$`,
      ),
    );
    expect(hash).not.toContain(password);
    expect(await hashPassword(password)).not.toBe(hash); // a fresh salt each time
    expect(await verifyPassword(password, hash)).toBe(true);
    expect(await verifyPassword(`${password}!`, hash)).toBe(false);
    expect(await verifyPassword(password, 'not a hash' as PasswordHash)).toBe(false);
    expect(await verifyPassword(password, hash.replace('$argon2id$', '$argon2i$') as PasswordHash)).toBe(false);
  });

  // The cost itself is a documented choice (password-hashing.ts); on a shared, loaded machine only a
  // generous ceiling is a stable check. The printed times are what to look at.
  it('takes a bounded time, the dummy check included', async () => {
    await verifyAgainstDummy('warm-up-password'); // makes the dummy hash
    const hash = await hashPassword('timing-password-1');
    const started = performance.now();
    await verifyPassword('timing-password-1', hash);
    const verifyMs = performance.now() - started;
    const dummyStarted = performance.now();
    await verifyAgainstDummy('timing-password-1');
    const dummyMs = performance.now() - dummyStarted;
    console.log(`argon2id verify ${verifyMs.toFixed(0)} ms, dummy ${dummyMs.toFixed(0)} ms`);
    expect(verifyMs).toBeLessThan(5_000);
    expect(dummyMs).toBeLessThan(5_000);
  });
});
