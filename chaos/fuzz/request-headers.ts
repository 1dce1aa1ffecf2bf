import fc from 'fast-check';
import { headerSafe } from './auth-plans.ts';
import { oddUnicodeText } from './hostile-values.ts';

/**
 * Headers beside auth and content type: `Idempotency-Key` (fresh, reused from a small
 * shared pool so the same key meets different requests, or invalid) and a few headers
 * a server might trust or choke on.
 */

/** A few keys every request may pick, so keys collide across routes, bodies and customers. */
const SHARED_KEYS = ['fuzz-shared-key-1', 'fuzz-shared-key-2', 'fuzz-shared-key-3'];
const INVALID_KEYS = ['', ' ', 'has space', 'x'.repeat(256), 'caf\u00e9', '\t'];

const idempotencyKey: fc.Arbitrary<string | undefined> = fc.oneof(
  { arbitrary: fc.constant(undefined), weight: 10 },
  { arbitrary: fc.uuid().map((id) => `fuzz-${id}`), weight: 4 },
  { arbitrary: fc.constantFrom(...SHARED_KEYS), weight: 3 },
  { arbitrary: fc.constantFrom(...INVALID_KEYS), weight: 2 },
);

const otherHeaders: fc.Arbitrary<Record<string, string>> = fc.oneof(
  { arbitrary: fc.constant({}), weight: 10 },
  {
    arbitrary: fc
      .subarray(
        [
          ['x-forwarded-for', '127.0.0.1, 10.0.0.1'],
          ['x-customer-id', 'someone-else'],
          ['accept', 'text/html;q=0.1, */*;q=0'],
          ['accept-encoding', 'gzip, br, zstd'],
          ['content-encoding', 'gzip'],
          ['x-http-method-override', 'DELETE'],
          ['idempotent-replayed', 'true'],
        ] as [string, string][],
        { minLength: 1 },
      )
      .chain((pairs) => oddUnicodeText.map((odd) => Object.fromEntries([...pairs, ['x-fuzz-note', headerSafe(odd)]]))),
    weight: 2,
  },
);

export function requestHeaders(mutating: boolean): fc.Arbitrary<Record<string, string>> {
  return fc.tuple(mutating ? idempotencyKey : fc.constant(undefined), otherHeaders).map(([key, others]) => ({
    ...others,
    ...(key === undefined ? {} : { 'idempotency-key': key }),
  }));
}
