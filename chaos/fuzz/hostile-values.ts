import fc from 'fast-check';

/**
 * Values meant to break things: text no field should hold, numbers in the wrong place,
 * money that is not money, JSON too deep or too large to handle naively, and bodies
 * that are not JSON at all. Each arbitrary is a catalogue of known troublemakers mixed
 * with fast-check's own random unicode and binary strings.
 */

/** Unicode category Cc, NUL first: the API refuses them in every text (400), tab, LF and CR aside. */
const CONTROL_CHARACTERS = ['\u0000', '\u0001', '\u0007', '\b', '\u000b', '\u000c', '\u001b[2J', '\u001f', '\u007f', '\u0085', '\u009f'];

/** Valid but awkward unicode: bidi overrides, zero-width and joiners, BOM, separators, combining marks, astral planes, lone surrogates, noncharacters. */
const ODD_UNICODE = [
  '\u202e',
  '\u200b',
  '\u200d',
  '\ufeff',
  '\u2028',
  '\u2029',
  'e\u0301',
  '👩‍👩‍👧‍👦',
  '𝕏',
  '\ud800',
  '\udfff',
  '\uffff',
  '\ufffd',
  '顧客',
  'İ',
  'ß',
  '\t',
  '\r\n',
];

/** Text that means something to another interpreter: SQL, paths, templates, formats, prototypes. */
const INJECTIONS = [
  "' OR '1'='1",
  "'; DROP TABLE auctions; --",
  '../../../etc/passwd',
  '..',
  '%00',
  '%',
  '${7*7}',
  '{{7*7}}',
  '%s%s%s%n',
  '<script>alert(1)</script>',
  '\\',
  '"',
  '__proto__',
  'constructor',
  'null',
  'NaN',
  '1e309',
  ' ',
  '',
];

export const controlCharacterText: fc.Arbitrary<string> = fc
  .tuple(fc.string({ maxLength: 6 }), fc.constantFrom(...CONTROL_CHARACTERS), fc.string({ maxLength: 6 }))
  .map(([before, control, after]) => `${before}${control}${after}`);

export const oddUnicodeText: fc.Arbitrary<string> = fc.oneof(
  fc.array(fc.constantFrom(...ODD_UNICODE), { minLength: 1, maxLength: 6 }).map((parts) => parts.join('')),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }),
);

export const injectionText: fc.Arbitrary<string> = fc.constantFrom(...INJECTIONS);

/** Long text, built from a short random unit so generating it stays cheap. */
export const longText = (minLength: number, maxLength: number): fc.Arbitrary<string> =>
  fc
    .tuple(fc.integer({ min: minLength, max: maxLength }), fc.oneof(fc.constant('x'), fc.constantFrom('é', '😀', '顧', 'ab')))
    .map(([length, unit]) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length));

export const hostileText: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: controlCharacterText, weight: 3 },
  { arbitrary: oddUnicodeText, weight: 3 },
  { arbitrary: injectionText, weight: 2 },
  { arbitrary: longText(201, 20_000), weight: 1 },
);

/** A JSON value of another type than `current` (a number where a string goes, and so on). */
export function wrongTypeValue(current: unknown): fc.Arbitrary<unknown> {
  const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
  return fc
    .oneof(
      fc.integer(),
      fc.constantFrom(12.5, -1, 0, 1e308, -0, Number.MAX_SAFE_INTEGER + 2),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
      fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
      fc.string({ maxLength: 10 }),
    )
    .filter((value) => kind(value) !== kind(current));
}

/** Amount strings the Money rules must refuse: negative, too precise, not decimal, too large, not ASCII digits. */
const HOSTILE_AMOUNTS = [
  '-1.00',
  '-0',
  '-0.01',
  '1.001',
  '0.1',
  '1.5',
  '1e3',
  '1E+2',
  '+1.00',
  ' 1.00',
  '1,00',
  '1.',
  '.5',
  '',
  '0x10',
  'NaN',
  'Infinity',
  '١٢٣',
  '１２',
  '9'.repeat(40),
  '9223372036854775807',
  '9223372036854775808',
  '92233720368547758.07',
  '92233720368547758.08',
  '0000000000000000000001.00',
  '1.0000000000000000000000001',
  '1_000',
];

/** Money that is not money: bad amounts, unknown or mis-cased currencies, floats, missing parts, other shapes. */
export const hostileMoney: fc.Arbitrary<unknown> = fc.oneof(
  fc.record({ amount: fc.constantFrom(...HOSTILE_AMOUNTS), currency: fc.constantFrom('USD', 'EUR', 'SAT') }),
  fc.record({ amount: fc.constantFrom('1.00', '1', '100'), currency: fc.constantFrom('usd', 'XXX', 'BTC', '', ' USD', 'SATS', 'U$D') }),
  fc.record({ amount: fc.constantFrom(12.5, 1, -1, 1e21, 0.1 + 0.2), currency: fc.constantFrom('USD', 'SAT') }),
  fc.constantFrom<unknown>(
    12.5,
    '12.50',
    '12.50 USD',
    null,
    [],
    { amount: '1.00' },
    { currency: 'USD' },
    { amount: { value: '1.00' }, currency: 'USD' },
    { amount: '1.00', currency: 'USD', minorUnits: -100 },
  ),
);

/**
 * JSON nested `depth` levels deep, as raw text (stringifying it would overflow our own
 * stack): arrays, objects or both. Up to 200 000 levels, still under the 1 MB limit.
 */
export const deeplyNestedJson: fc.Arbitrary<string> = fc
  .record({
    depth: fc.oneof(fc.integer({ min: 50, max: 5_000 }), fc.integer({ min: 10_000, max: 120_000 })),
    shape: fc.constantFrom('array', 'object', 'mixed'),
  })
  .map(({ depth, shape }) => {
    if (shape === 'array') return `${'['.repeat(depth)}${']'.repeat(depth)}`;
    if (shape === 'object') return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    return `${'[{"a":'.repeat(depth)}1${'}]'.repeat(depth)}`;
  });

/** Bodies that are not JSON, or are JSON that parsers treat differently (duplicate keys, escapes of NUL, prototype keys). */
export const notJsonText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '{',
    '}',
    '{"a":',
    'not json',
    '<?xml version="1.0"?><a/>',
    'amount=1&currency=USD',
    '\ufeff{}',
    '{"a":1}{"b":2}',
    '[1,2,',
    "{'a':1}",
    '{"a":NaN}',
    '{"a":1e999}',
    '{"a":01}',
    '{"__proto__":{"isAdmin":true}}',
    '{"a":"\\ud800"}',
    '"\\u0000"',
    '{"title":"a","title":"b"}',
    '\u0000',
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
);
