import { argon2id } from 'hash-wasm';
import type { PasswordHash } from './domain.ts';

/**
 * Passwords are kept only as argon2id hashes, computed by `hash-wasm`: WebAssembly, no
 * native add-on, so the same code runs on Node and Deno (the API runs on both).
 *
 * Parameters: OWASP's first argon2id profile (19 MiB, 2 passes, 1 lane), the smallest it
 * recommends. Aimed at about 100 ms a hash on one core of the 2-core target: slow enough
 * that a stolen table costs an attacker dearly, fast enough that a login does not keep a
 * user waiting or hog the API. (Measured on the shared development machine while other
 * suites ran, load 4 to 10: 130–250 ms, the minimum nearest the idle cost.) More memory
 * or passes would push an idle hash past 150 ms. One lane because the WASM build computes
 * on one thread anyway. The hash runs on the event loop (WebAssembly is synchronous), so each login
 * or registration holds the API's thread for that long: the next step, should logins
 * become frequent, is a worker pool.
 *
 * Each hash carries its parameters (PHC string, `$argon2id$v=19$m=…,t=…,p=…$salt$hash`),
 * so raising them later leaves existing hashes verifiable.
 */
export const ARGON2ID_PARAMETERS = { memorySize: 19_456, iterations: 2, parallelism: 1, hashLength: 32 } as const;
const SALT_BYTES = 16;

export async function hashPassword(password: string): Promise<PasswordHash> {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  return (await argon2id({ ...ARGON2ID_PARAMETERS, password, salt, outputType: 'encoded' })) as PasswordHash;
}

/**
 * Checks a password against a stored hash, with the hash's own parameters. The digests
 * are compared in constant time (hash-wasm's own `argon2Verify` compares strings with
 * `===`). An unreadable hash verifies nothing.
 */
export async function verifyPassword(password: string, stored: PasswordHash): Promise<boolean> {
  const parsed = parsePhc(stored);
  if (!parsed) return false;
  const computed = await argon2id({
    password,
    salt: parsed.salt,
    memorySize: parsed.memorySize,
    iterations: parsed.iterations,
    parallelism: parsed.parallelism,
    hashLength: parsed.digest.length,
    outputType: 'binary',
  });
  return constantTimeEqual(computed, parsed.digest);
}

let dummyHash: Promise<PasswordHash> | undefined;

/**
 * Spends the time of one verification for a username that does not exist, so the answer
 * comes as late as for a wrong password: no timing tells an attacker which usernames
 * are registered. The dummy hash is of a random password, made once per process with
 * the current parameters.
 */
export async function verifyAgainstDummy(password: string): Promise<void> {
  dummyHash ??= hashPassword(crypto.randomUUID());
  await verifyPassword(password, await dummyHash);
}

interface ParsedHash {
  memorySize: number;
  iterations: number;
  parallelism: number;
  salt: Uint8Array;
  digest: Uint8Array;
}

const PHC = /^\$argon2id\$v=19\$m=(\d{1,8}),t=(\d{1,4}),p=(\d{1,3})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

function parsePhc(encoded: string): ParsedHash | undefined {
  const match = PHC.exec(encoded);
  if (!match) return undefined;
  const [, m, t, p, salt, digest] = match;
  return {
    memorySize: Number(m),
    iterations: Number(t),
    parallelism: Number(p),
    salt: fromUnpaddedBase64(salt!),
    digest: fromUnpaddedBase64(digest!),
  };
}

/** PHC strings use standard base64 without padding. */
function fromUnpaddedBase64(text: string): Uint8Array {
  const padded = text + '='.repeat((4 - (text.length % 4)) % 4);
  return Uint8Array.from(atob(padded), (ch) => ch.charCodeAt(0));
}

function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}
