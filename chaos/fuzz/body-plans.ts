import fc from 'fast-check';
import { deeplyNestedJson, notJsonText } from './hostile-values.ts';
import { mutatedJson } from './json-mutations.ts';

/** A request body as it goes on the wire: the exact text, its declared type, and whether it is sent chunked (no Content-Length). */
export interface BodyPlan {
  text: string;
  contentType: string | undefined;
  chunked: boolean;
  /** What kind of body this is, for reports. */
  label: string;
}

/** Content types a client might send by mistake or on purpose; JSON most of the time so the body gets read. */
const contentType: fc.Arbitrary<string | undefined> = fc.oneof(
  { arbitrary: fc.constant('application/json'), weight: 12 },
  {
    arbitrary: fc.constantFrom(
      undefined,
      'text/plain',
      'application/json; charset=utf-16',
      'application/json; charset=latin1',
      'APPLICATION/JSON',
      'application/xml',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=fuzz',
      'application/vnd.api+json',
      'application/json, text/plain',
      '*/*',
      '',
    ),
    weight: 2,
  },
);

const chunked: fc.Arbitrary<boolean> = fc.oneof({ arbitrary: fc.constant(false), weight: 9 }, { arbitrary: fc.constant(true), weight: 1 });

/**
 * Bodies for a route that takes `valid` ones (from its schema; `undefined` when it takes
 * none): valid ones (so handlers run), one-change mutations of those, and whole-body
 * hostility: not JSON, the wrong JSON type, nested hundreds of thousands deep, just under
 * and just over the size limit, empty, absent.
 */
export function bodyPlans(valid: fc.Arbitrary<unknown> | undefined, limitBytes: number): fc.Arbitrary<BodyPlan | undefined> {
  const base = valid ?? fc.constant({});
  const json = (arbitrary: fc.Arbitrary<{ value: unknown; label: string }>) =>
    fc
      .tuple(arbitrary, contentType, chunked)
      .map(([{ value, label }, type, isChunked]) => plan(JSON.stringify(value) ?? 'null', type, isChunked, label));
  const raw = (arbitrary: fc.Arbitrary<string>, label: string) =>
    fc.tuple(arbitrary, contentType, chunked).map(([text, type, isChunked]) => plan(text, type, isChunked, label));
  const hostileWhole = [
    { arbitrary: raw(notJsonText, 'not JSON'), weight: 2 },
    { arbitrary: json(fc.jsonValue({ maxDepth: 3 }).map((value) => ({ value, label: 'random JSON' }))), weight: 2 },
    { arbitrary: raw(slotted(base, deeplyNestedJson), 'deeply nested JSON'), weight: 1 },
    { arbitrary: raw(slotted(base, paddingOfTotal(sizesUnder(limitBytes))), 'large body under the limit'), weight: 1 },
    { arbitrary: raw(slotted(base, paddingOfTotal(sizesOver(limitBytes))), 'body over the limit'), weight: 1 },
    { arbitrary: raw(fc.constant(''), 'empty body'), weight: 1 },
  ];
  if (!valid) {
    return fc.oneof({ arbitrary: fc.constant(undefined), weight: 16 }, ...hostileWhole);
  }
  return fc.oneof(
    { arbitrary: json(valid.map((value) => ({ value, label: 'valid body' }))), weight: 8 },
    { arbitrary: json(valid.chain(mutatedJson)), weight: 10 },
    ...hostileWhole,
    { arbitrary: fc.constant(undefined), weight: 1 },
  );
}

const plan = (text: string, type: string | undefined, isChunked: boolean, label: string): BodyPlan => ({
  text,
  contentType: type,
  chunked: isChunked,
  label: `${label}${isChunked ? ', chunked' : ''}${type === 'application/json' ? '' : `, content-type ${JSON.stringify(type ?? null)}`}`,
});

/**
 * A valid body with one of its values (or the whole of it) replaced by raw JSON text,
 * placed through a marker string: deep nesting cannot go through JSON.stringify, and a
 * padding must be sized against the text around it.
 */
const SLOT = '__fuzz_slot_5e1f__';
function slotted(valid: fc.Arbitrary<unknown>, fill: fc.Arbitrary<string | ((surroundingBytes: number) => string)>): fc.Arbitrary<string> {
  return fc.tuple(valid, fill).map(([value, filler]) => {
    const around =
      isObject(value) && Object.keys(value).length > 0 ? JSON.stringify({ ...value, [Object.keys(value)[0]!]: SLOT }) : `"${SLOT}"`;
    const surrounding = Buffer.byteLength(around) - Buffer.byteLength(`"${SLOT}"`);
    const text = typeof filler === 'string' ? filler : filler(surrounding);
    return around.replace(`"${SLOT}"`, () => text);
  });
}

/** A JSON string sized so the whole body is `total` bytes, in ASCII or in two-byte characters. */
function paddingOfTotal(totals: fc.Arbitrary<number>): fc.Arbitrary<(surroundingBytes: number) => string> {
  return fc.tuple(totals, fc.constantFrom('x', 'é')).map(([total, unit]) => (surrounding: number) => {
    const room = Math.max(0, total - surrounding - 2);
    const units = Math.floor(room / Buffer.byteLength(unit));
    return `"${unit.repeat(units)}${'x'.repeat(room - units * Buffer.byteLength(unit))}"`;
  });
}

/** Totals at the limit and below it: the largest accepted bodies. */
const sizesUnder = (limit: number) => fc.oneof(fc.constantFrom(limit, limit - 1), fc.integer({ min: 64 * 1024, max: limit - 2 }));
/** Totals just past the limit and well past it. */
const sizesOver = (limit: number) => fc.oneof(fc.constantFrom(limit + 1), fc.integer({ min: limit + 2, max: Math.floor(limit * 1.5) }));

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
