import fc from 'fast-check';
import type { OwnedResource } from './fuzz-target.ts';
import { validValue, type KnownValues } from './json-schema-values.ts';
import { isMutating, operationName, type Operation } from './openapi-operations.ts';
import { fillPath, percentEncode } from './path-parameters.ts';
import type { ApiRequestPlan, ResourceRef } from './request-plan.ts';

/**
 * Insecure direct object references: a customer who is not a party asks for, or acts on,
 * someone else's resource with a request that is valid in every other way. Only 403 or
 * 404 may come back. Which routes are party-only is read from the document: they want a
 * token and declare 403 (a route that declares none, such as bidding, is open to anyone).
 */

/** The first path segment names the kind of resource its `{param}` is the id of. */
const KIND_BY_SEGMENT: Record<string, OwnedResource['kind']> = {
  auctions: 'auction',
  payments: 'payment',
  deliveries: 'delivery',
  services: 'service',
  withdrawals: 'withdrawal',
  accounts: 'account',
  customers: 'customer',
  sagas: 'saga',
};

/** Body fields that name a resource: an account (whose id is its owner's customer id) or a customer. */
const KIND_BY_FIELD: { pattern: RegExp; kind: OwnedResource['kind'] }[] = [
  { pattern: /(^|[a-z])accountId$/i, kind: 'account' },
  { pattern: /(^|[a-z])customerId$/i, kind: 'customer' },
];

/**
 * Fields that name whom money goes to (`toAccountId` of a transfer): they point at another
 * customer's account by design, as paying someone does, so they are no IDOR probe's target.
 */
const RECIPIENT_FIELD = /^to[A-Z]/;

/** The owned resource a path names and the parameter holding its id: `/payments/{id}/charge` → payment, `id`. */
export function resourceParameter(operation: Operation): { kind: OwnedResource['kind']; name: string } | undefined {
  const match = /^\/([^/{}]+)\/\{([^}]+)\}/.exec(operation.path);
  const kind = match && KIND_BY_SEGMENT[match[1]!];
  return kind && match ? { kind, name: match[2]! } : undefined;
}

const isPartyOnly = (operation: Operation) => operation.secured && operation.statuses.includes(403);

/** One probe to make: this operation on this resource, the resource's id in this place. */
export interface IdorTemplate {
  operation: Operation;
  resource: OwnedResource;
  place: { in: 'path'; name: string } | { in: 'body'; field: string };
}

export function idorTemplates(operations: Operation[], resources: OwnedResource[]): IdorTemplate[] {
  const templates: IdorTemplate[] = [];
  for (const operation of operations.filter(isPartyOnly)) {
    const parameter = resourceParameter(operation);
    const fields = Object.keys(operation.body?.schema.properties ?? {});
    for (const resource of resources) {
      if (parameter?.kind === resource.kind) templates.push({ operation, resource, place: { in: 'path', name: parameter.name } });
      for (const field of fields) {
        if (RECIPIENT_FIELD.test(field)) continue;
        if (KIND_BY_FIELD.some((f) => f.kind === resource.kind && f.pattern.test(field))) {
          templates.push({ operation, resource, place: { in: 'body', field } });
        }
      }
    }
  }
  return templates;
}

/** A probe from a template, by one of `callers` who is not a party (none: no probe). */
export function idorProbe(template: IdorTemplate, callers: string[], known: KnownValues): fc.Arbitrary<ApiRequestPlan> | undefined {
  const strangers = callers.filter((c) => !template.resource.parties.includes(c));
  if (strangers.length === 0) return undefined;
  const { operation, resource, place } = template;
  const ref: ResourceRef = { kind: resource.kind, id: resource.id };
  const pathValues = fc.record(
    Object.fromEntries(
      operation.parameters
        .filter((p) => p.in === 'path')
        .map((p) => [
          p.name,
          place.in === 'path' && place.name === p.name
            ? fc.constant(percentEncode(resource.id))
            : validValue(p.schema, known).map((v) => percentEncode(String(v))),
        ]),
    ),
  );
  const body = operation.body
    ? validValue(operation.body.schema, known).map((value) =>
        place.in === 'body' && value !== null && typeof value === 'object' ? { ...value, [place.field]: resource.id } : value,
      )
    : fc.constant(undefined);
  return fc.tuple(fc.constantFrom(...strangers), pathValues, body, fc.uuid()).map(([caller, values, value, key]) => ({
    kind: 'api' as const,
    operation: operationName(operation),
    method: operation.method,
    secured: operation.secured,
    path: fillPath(operation, values),
    auth: { kind: 'valid' as const, subject: caller },
    // A fresh key: a probe must not be answered from another request's stored response.
    headers: isMutating(operation) ? { 'idempotency-key': `fuzz-idor-${key}` } : ({} as Record<string, string>),
    body:
      value === undefined
        ? undefined
        : { text: JSON.stringify(value), contentType: 'application/json', chunked: false, label: 'valid body' },
    ...(place.in === 'path' ? { resource: ref } : {}),
    idor: { resource: ref, caller },
  }));
}
