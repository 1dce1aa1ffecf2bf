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
