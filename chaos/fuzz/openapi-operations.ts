/**
 * The served OpenAPI 3.1 document, read as the list of operations the fuzz aims at:
 * every route with its parameters, its JSON body schema (references resolved), whether
 * it wants a token and which statuses it declares. The fuzz knows the API only from here,
 * so a route added later is fuzzed without touching the harness.
 */

/** The subset of JSON Schema (2020-12, as OpenAPI 3.1 uses it) that request schemas are built from. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  example?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  $ref?: string;
  /** Set here, not by the document: the component a `$ref` named, e.g. `Money`. */
  'x-component'?: string;
}

export interface OperationParameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required: boolean;
  schema: JsonSchema;
}

export interface Operation {
  method: string;
  /** The path template, e.g. `/payments/{id}/charge`. */
  path: string;
  parameters: OperationParameter[];
  body?: { schema: JsonSchema; required: boolean; mediaType: string };
  /** Wants a bearer token (the operation or the document lists a security requirement). */
  secured: boolean;
  /** The response statuses it declares, e.g. 403 for party-only routes. */
  statuses: number[];
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

/** Fetches `${apiUrl}/openapi.json` and lists its operations. */
export async function loadOperations(apiUrl: string): Promise<Operation[]> {
  const response = await fetch(`${apiUrl}/openapi.json`);
  if (!response.ok) throw new Error(`GET /openapi.json answered ${response.status}`);
  return operationsOf((await response.json()) as OpenApiDocument);
}

interface OpenApiDocument {
  paths?: Record<string, Record<string, RawOperation>>;
  components?: { schemas?: Record<string, JsonSchema> };
  security?: unknown[];
}

interface RawOperation {
  parameters?: { name: string; in: OperationParameter['in']; required?: boolean; schema?: JsonSchema }[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: JsonSchema }> };
  security?: unknown[];
  responses?: Record<string, unknown>;
}

export function operationsOf(document: OpenApiDocument): Operation[] {
  const resolve = referenceResolver(document);
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const method of METHODS) {
      const raw = item[method];
      if (!raw) continue;
      const content = Object.entries(raw.requestBody?.content ?? {});
      const json = content.find(([mediaType]) => /json/i.test(mediaType)) ?? content[0];
      operations.push({
        method: method.toUpperCase(),
        path,
        parameters: (raw.parameters ?? []).map((p) => ({
          name: p.name,
          in: p.in,
          required: p.required ?? p.in === 'path',
          schema: resolve(p.schema ?? {}),
        })),
        ...(json
          ? { body: { schema: resolve(json[1].schema ?? {}), required: raw.requestBody?.required ?? false, mediaType: json[0] } }
          : {}),
        secured: (raw.security ?? document.security ?? []).length > 0,
        statuses: Object.keys(raw.responses ?? {})
          .map(Number)
          .filter(Number.isInteger),
      });
    }
  }
  return operations;
}

/**
 * Inlines `#/components/schemas/X` references, marking each inlined schema with the
 * component's name (`x-component`), so value generators can recognise `Money` by name.
 * A reference met again inside itself stops the walk (request schemas are not recursive,
 * but a document could be).
 */
function referenceResolver(document: OpenApiDocument) {
  const components = document.components?.schemas ?? {};
  const resolve = (schema: JsonSchema, seen: readonly string[] = []): JsonSchema => {
    if (schema.$ref) {
      const name = schema.$ref.replace(/^#\/components\/schemas\//, '');
      const target = components[name];
      if (!target || seen.includes(name)) return {};
      return { ...resolve(target, [...seen, name]), 'x-component': name };
    }
    const out: JsonSchema = { ...schema };
    if (schema.properties) {
      out.properties = Object.fromEntries(Object.entries(schema.properties).map(([key, value]) => [key, resolve(value, seen)]));
    }
    if (schema.items) out.items = resolve(schema.items, seen);
    if (typeof schema.additionalProperties === 'object') out.additionalProperties = resolve(schema.additionalProperties, seen);
    for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
      if (schema[key]) out[key] = schema[key].map((s) => resolve(s, seen));
    }
    return out;
  };
  return resolve;
}

/** Whether the operation changes state (and so takes an Idempotency-Key). */
export const isMutating = (operation: Operation) => !['GET', 'HEAD', 'OPTIONS'].includes(operation.method);

/** The operation as people write it: `POST /payments/{id}/charge`. */
export const operationName = (operation: Operation) => `${operation.method} ${operation.path}`;
