import fc from 'fast-check';
import { CURRENCY_PRECISION } from '../../src/kernel/money.ts';
import type { JsonSchema } from './openapi-operations.ts';

/**
 * Valid values for a JSON schema, so that requests get past validation and run the code
 * behind it. The schema says most of it (types, enums, lengths, formats, required keys);
 * what it cannot say is filled in from what the fuzz knows: ids that exist, customers,
 * and what makes a `Money` valid (the kernel's precision per currency).
 */

export interface KnownValues {
  /** Ids of real resources (UUIDs and customer ids alike): to aim at data that exists. */
  ids: string[];
  /** Customer ids: for fields that name an account or a customer. */
  customers: string[];
}

/** Text the API accepts everywhere: no control characters (they are refused by design). */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Field names whose value is a customer's id (accounts are customers: an account's id is its owner's). */
const CUSTOMER_FIELD = /(^|[a-z])(account|customer)Id$/i;

export function validValue(schema: JsonSchema, known: KnownValues, fieldName?: string): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum && schema.enum.length > 0) return fc.constantFrom(...schema.enum);
  if (isMoneySchema(schema)) return validMoney(schema);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives && alternatives.length > 0) return fc.oneof(...alternatives.map((s) => validValue(s, known, fieldName)));
  if (schema.allOf && schema.allOf.length > 0) return validValue(Object.assign({}, ...schema.allOf) as JsonSchema, known, fieldName);
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (types.length > 1) return fc.oneof(...types.map((type) => validValue({ ...schema, type }, known, fieldName)));
  switch (types[0]) {
    case 'string':
      return validString(schema, known, fieldName);
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1_000_000, max: schema.maximum ?? 1_000_000 });
    case 'number':
      // No floats for money anywhere: a plain number field gets integers too.
      return fc.integer({ min: Math.ceil(schema.minimum ?? -1_000_000), max: Math.floor(schema.maximum ?? 1_000_000) });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(validValue(schema.items ?? {}, known), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.max(schema.minItems ?? 0, Math.min(schema.maxItems ?? 3, 3)),
      });
    case 'object':
      return validObject(schema, known);
    default:
      return schema.properties ? validObject(schema, known) : fc.jsonValue({ maxDepth: 2 });
  }
}

function validObject(schema: JsonSchema, known: KnownValues): fc.Arbitrary<unknown> {
  const properties = Object.entries(schema.properties ?? {});
  const required = (schema.required ?? []).filter((key) => properties.some(([name]) => name === key));
  return fc.record(Object.fromEntries(properties.map(([name, property]) => [name, validValue(property, known, name)])), {
    requiredKeys: required,
  });
}

function validString(schema: JsonSchema, known: KnownValues, fieldName: string | undefined): fc.Arbitrary<string> {
  const min = schema.minLength ?? 0;
  const max = schema.maxLength ?? 200;
  const fits = (text: string) => text.length >= min && text.length <= max && !CONTROL.test(text);
  const knownFitting = (values: string[]) => values.filter(fits);
  if (schema.format === 'uuid') {
    const ids = knownFitting(known.ids).filter((id) => UUID.test(id));
    return ids.length > 0 ? fc.oneof({ arbitrary: fc.constantFrom(...ids), weight: 3 }, fc.uuid()) : fc.uuid();
  }
  if (schema.format === 'date-time') return futureInstant;
  if (fieldName && CUSTOMER_FIELD.test(fieldName)) {
    const customers = knownFitting(known.customers);
    if (customers.length > 0) return fc.constantFrom(...customers);
  }
  const text = fc
    .string({ unit: 'grapheme', minLength: Math.min(min, 20), maxLength: Math.min(max, 40) })
    .filter(fits)
    .map((value) => (value.length >= min ? value : value.padEnd(min, 'x')));
  const example = typeof schema.example === 'string' && fits(schema.example) ? schema.example : undefined;
  return example === undefined ? text : fc.oneof({ arbitrary: fc.constant(example), weight: 2 }, { arbitrary: text, weight: 1 });
}

/**
 * An instant an hour to five years ahead, written when generated: auctions want `endsAt`
 * in the future, and an hour is more than any fuzz run lasts.
 */
const futureInstant: fc.Arbitrary<string> = fc
  .integer({ min: 3_600, max: 5 * 365 * 86_400 })
  .map((secondsAhead) => new Date(Date.now() + secondsAhead * 1000).toISOString());

/** `Money` by name (the component the document references), or by shape: a string `amount` and an enumerated `currency`. */
export function isMoneySchema(schema: JsonSchema): boolean {
  if (schema['x-component'] === 'Money') return true;
  const amount = schema.properties?.amount;
  const currency = schema.properties?.currency;
  return amount?.type === 'string' && Array.isArray(currency?.enum);
}

/** A valid Money of a currency the schema lists: a non-negative decimal string with that currency's places, as integers all along. */
function validMoney(schema: JsonSchema): fc.Arbitrary<{ amount: string; currency: string }> {
  const currencies = (schema.properties?.currency?.enum ?? Object.keys(CURRENCY_PRECISION)).map(String);
  return fc
    .record({
      currency: fc.constantFrom(...currencies),
      minorUnits: fc.oneof(
        { arbitrary: fc.bigInt({ min: 1n, max: 100_000n }), weight: 4 },
        { arbitrary: fc.bigInt({ min: 1n, max: 2n ** 63n - 1n }), weight: 1 },
      ),
    })
    .map(({ currency, minorUnits }) => ({ amount: decimalString(minorUnits, precisionOf(currency)), currency }));
}

const precisionOf = (currency: string): number => CURRENCY_PRECISION[currency as keyof typeof CURRENCY_PRECISION] ?? 2;

function decimalString(minorUnits: bigint, places: number): string {
  if (places === 0) return minorUnits.toString();
  const digits = minorUnits.toString().padStart(places + 1, '0');
  return `${digits.slice(0, -places)}.${digits.slice(-places)}`;
}
