import { sha256, toHex } from './sha256.ts';

/**
 * Server-chosen identifiers. UUIDs from WebCrypto so the same code runs on Node,
 * Deno and edge runtimes; branded types keep an AuctionId from passing as a PaymentId.
 */
export type Id<Brand extends string> = string & { readonly __brand: Brand };

export function newId<Brand extends string>(): Id<Brand> {
  return crypto.randomUUID() as Id<Brand>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

export type CustomerId = Id<'CustomerId'>;

/**
 * The id of what a request with an `Idempotency-Key` creates, derived from the key: a
 * retry that runs again (its first try died after committing, before its answer was
 * stored) finds what the first try made under the same id instead of making it twice.
 * A UUID in RFC 9562's version-8 layout over SHA-256 of the parts.
 */
export async function idFromRequestKey<Brand extends string>(purpose: string, scope: string, key: string): Promise<Id<Brand>> {
  const digest = await sha256(JSON.stringify([purpose, scope, key]));
  digest[6] = (digest[6]! & 0x0f) | 0x80;
  digest[8] = (digest[8]! & 0x3f) | 0x80;
  const hex = toHex(digest.subarray(0, 16));
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}` as Id<Brand>;
}
