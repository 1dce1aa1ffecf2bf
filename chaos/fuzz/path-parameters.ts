import fc from 'fast-check';
import { controlCharacterText, injectionText, longText, oddUnicodeText } from './hostile-values.ts';
import { validValue, type KnownValues } from './json-schema-values.ts';
import type { JsonSchema, Operation } from './openapi-operations.ts';

/**
 * Values for path segments and query strings, already written as they go on the wire:
 * most are percent-encoded (unicode, control characters, long ones), and a few are raw on
 * purpose (`..`, `%2e%2e`, a broken `%zz` escape, an empty segment) to try the router.
 */

/** Percent-encodes everything but RFC 3986's unreserved characters, byte by byte (a lone surrogate becomes U+FFFD, as UTF-8 must). */
export function percentEncode(text: string): string {
  return Array.from(Buffer.from(text, 'utf8'), (byte) =>
    /[A-Za-z0-9\-._~]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`,
  ).join('');
}

/** Written raw into the path: traversal, broken escapes, encoded slashes and NUL, empty segments. */
const RAW_SEGMENTS = ['..', '../..', '%2e%2e', '..%2f..%2fhealth', '.', '%2F', '%00', '%', '%zz', '%E0%A4%A', '', '//', 'a;b', 'a?b', '#'];

export function pathSegment(schema: JsonSchema, known: KnownValues): fc.Arbitrary<string> {
  const knownIds = [...known.ids, ...known.customers];
  return fc.oneof(
    { arbitrary: knownIds.length > 0 ? fc.constantFrom(...knownIds).map(percentEncode) : fc.uuid(), weight: 6 },
    { arbitrary: validValue(schema, known).map((v) => percentEncode(String(v))), weight: 3 },
    { arbitrary: fc.oneof(oddUnicodeText, controlCharacterText, injectionText).map(percentEncode), weight: 3 },
    { arbitrary: longText(201, 20_000).map(percentEncode), weight: 1 },
    { arbitrary: fc.constantFrom(...RAW_SEGMENTS), weight: 2 },
  );
}

/** The operation's path with each `{param}` filled by `values` (already encoded). */
export function fillPath(operation: Operation, values: Record<string, string>): string {
  return operation.path.replace(/\{([^}]+)\}/g, (_, name: string) => values[name] ?? '');
}

/** Query values written raw on purpose: an encoded NUL, a broken escape, traversal. */
const RAW_QUERY_VALUES = ['%00', '%', '%zz', '..'];

/** A query string nobody asked for, or a hostile one: unknown keys, repeated keys, control characters, huge numbers. */
export const hostileQuery: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constant(''), weight: 8 },
  {
    arbitrary: fc
      .array(
        fc.tuple(
          fc
            .oneof(fc.constantFrom('limit', 'cursor', 'id', 'customerId', '__proto__', 'a[b]'), fc.string({ maxLength: 8 }))
            .map(percentEncode),
          fc.oneof(
            fc.constantFrom('-1', '0', '1e9', '99999999999999999999', 'null').map(percentEncode),
            fc.constantFrom(...RAW_QUERY_VALUES),
            fc.oneof(controlCharacterText, oddUnicodeText).map(percentEncode),
          ),
        ),
        { minLength: 1, maxLength: 4 },
      )
      .map((pairs) => `?${pairs.map(([key, value]) => `${key}=${value}`).join('&')}`),
    weight: 2,
  },
);
