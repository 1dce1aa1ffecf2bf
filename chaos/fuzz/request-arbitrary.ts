import fc from 'fast-check';
import { BODY_LIMIT_BYTES } from '../../src/platform/http/request-hardening.ts';
import { authPlans } from './auth-plans.ts';
import { bodyPlans } from './body-plans.ts';
import type { OwnedResource, WebhookSource } from './fuzz-target.ts';
import { idorProbe, idorTemplates, resourceParameter } from './idor-probes.ts';
import { validValue, type KnownValues } from './json-schema-values.ts';
import { isMutating, operationName, type JsonSchema, type Operation } from './openapi-operations.ts';
import { fillPath, hostileQuery, pathSegment, percentEncode } from './path-parameters.ts';
import type { ApiRequestPlan, PlannedRequest } from './request-plan.ts';
import { requestHeaders } from './request-headers.ts';
import { webhookPlans } from './webhook-plans.ts';

/** Everything the requests are generated from: the document's operations and what the caller loaded. */
export interface FuzzUniverse {
  operations: Operation[];
  resources: OwnedResource[];
  /** Customers owning the resources. */
  customers: string[];
  /** A customer of the fuzz's own, party to nothing at the start. */
  stranger: string;
}

/**
 * Any request of the run: an operation of the document with hostile or valid parts
 * (path, query, token, headers, body), an IDOR probe, a webhook, or the replay of a
 * webhook sent before.
 */
export function plannedRequests(universe: FuzzUniverse): fc.Arbitrary<PlannedRequest> {
  const probes = idorProbes(universe);
  return fc.oneof(
    { arbitrary: operationRequests(universe), weight: 12 },
    { arbitrary: wellFormedRequests(universe), weight: 4 },
    ...(probes.length > 0 ? [{ arbitrary: fc.oneof(...probes), weight: 3 }] : []),
    { arbitrary: webhookPlans({ idsBySource: idsBySource(universe.resources) }), weight: 6 },
    { arbitrary: fc.nat().map((pick) => ({ kind: 'webhook-replay' as const, pick })), weight: 1 },
  );
}

/** One probe per (party-only operation, owned resource, place of its id): every resource is tried at least once. */
export function idorCoverage(universe: FuzzUniverse): fc.Arbitrary<ApiRequestPlan[]> {
  const probes = idorProbes(universe);
  return probes.length > 0 ? fc.tuple(...probes) : fc.constant([]);
}

function idorProbes(universe: FuzzUniverse): fc.Arbitrary<ApiRequestPlan>[] {
  const known = knownValues(universe);
  const callers = [universe.stranger, ...universe.customers];
  return idorTemplates(universe.operations, universe.resources)
    .map((template) => idorProbe(template, callers, known))
    .filter((probe): probe is fc.Arbitrary<ApiRequestPlan> => probe !== undefined);
}

/** The operation a method and path reach (HEAD reaches GET's); none: the router answers 404 itself. */
function routeFor(operations: Operation[], method: string, path: string): Operation | undefined {
  const wanted = method === 'HEAD' ? 'GET' : method;
  return operations.find((o) => o.path === path && o.method === wanted);
}

/** Methods a route was not written for (HEAD and OPTIONS included: frameworks answer them on their own). */
const OTHER_METHODS = fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS');

function operationRequests(universe: FuzzUniverse): fc.Arbitrary<ApiRequestPlan> {
  const known = knownValues(universe);
  const auth = authPlans({ stranger: universe.stranger, customers: universe.customers });
  // Public routes mostly get no token; a token (even a forged one) must not change what they show.
  const publicAuth = fc.oneof({ arbitrary: fc.constant({ kind: 'none' as const }), weight: 3 }, { arbitrary: auth, weight: 1 });
  return fc.constantFrom(...universe.operations).chain((operation) => {
    const pathParameters = operation.parameters.filter((p) => p.in === 'path');
    const resource = resourceParameter(operation);
    return fc
      .record({
        method: fc.oneof({ arbitrary: fc.constant(operation.method), weight: 15 }, { arbitrary: OTHER_METHODS, weight: 1 }),
        values: fc.record(Object.fromEntries(pathParameters.map((p) => [p.name, pathSegment(p.schema, known)]))),
        query: hostileQuery,
        auth: operation.secured ? auth : publicAuth,
        headers: requestHeaders(isMutating(operation)),
        body: bodyPlans(operation.body ? validValue(operation.body.schema, known) : undefined, BODY_LIMIT_BYTES),
      })
      .map(({ method, values, query, auth: plan, headers, body }) => {
        const id = resource && decoded(values[resource.name] ?? '');
        return {
          kind: 'api' as const,
          operation: method === operation.method ? operationName(operation) : `${method} on ${operationName(operation)}`,
          method,
          secured: routeFor(universe.operations, method, operation.path)?.secured ?? false,
          path: `${fillPath(operation, values)}${query}`,
          auth: plan,
          headers,
          body,
          ...(resource && id !== undefined ? { resource: { kind: resource.kind, id } } : {}),
        };
      });
  });
}

/**
 * Requests right in every part but whose they are: a valid token of any customer, a
 * valid body, the path naming real resources. Most business code runs only past every
 * check, so these reach it (bids, deposits, charges, ends, redemptions), and they move
 * the state that the hostile requests around them must then leave alone.
 */
function wellFormedRequests(universe: FuzzUniverse): fc.Arbitrary<ApiRequestPlan> {
  const known = knownValues(universe);
  const ids = [...known.ids, ...known.customers];
  const callers = [universe.stranger, ...universe.customers];
  return fc.constantFrom(...universe.operations).chain((operation) => {
    const pathParameters = operation.parameters.filter((p) => p.in === 'path');
    const resource = resourceParameter(operation);
    return fc
      .record({
        values: fc.record(Object.fromEntries(pathParameters.map((p) => [p.name, fc.constantFrom(...idsFitting(p.schema, ids))]))),
        caller: fc.constantFrom(...callers),
        body: operation.body ? validValue(operation.body.schema, known) : fc.constant(undefined),
        key: fc.option(fc.uuid().map((id) => `fuzz-${id}`)),
      })
      .map(({ values, caller, body, key }) => ({
        kind: 'api' as const,
        operation: operationName(operation),
        method: operation.method,
        secured: operation.secured,
        path: fillPath(operation, Object.fromEntries(Object.entries(values).map(([name, value]) => [name, percentEncode(value)]))),
        auth: { kind: 'valid' as const, subject: caller },
        headers: isMutating(operation) && key !== null ? { 'idempotency-key': key } : ({} as Record<string, string>),
        body:
          body === undefined
            ? undefined
            : { text: JSON.stringify(body), contentType: 'application/json', chunked: false, label: 'valid body' },
        ...(resource ? { resource: { kind: resource.kind, id: values[resource.name]! } } : {}),
      }));
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The known ids a path parameter takes: UUIDs where it wants one, the others (customers, workflow ids) elsewhere. */
function idsFitting(schema: JsonSchema, ids: string[]): string[] {
  const fitting = ids.filter((id) => (schema.format === 'uuid') === UUID.test(id));
  return fitting.length > 0 ? fitting : ids;
}

function knownValues(universe: FuzzUniverse): KnownValues {
  return {
    ids: [...new Set(universe.resources.map((r) => r.id))],
    customers: [universe.stranger, ...universe.customers],
  };
}

/** The ids each webhook sender speaks of: payments, deliveries, withdrawals. */
function idsBySource(resources: OwnedResource[]): Record<WebhookSource, string[]> {
  const of = (kind: OwnedResource['kind']) => resources.filter((r) => r.kind === kind).map((r) => r.id);
  return { payments: of('payment'), carrier: of('delivery'), lightning: of('withdrawal') };
}

function decoded(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
