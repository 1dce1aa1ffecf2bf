import fc from 'fast-check';
import { hostileMoney, hostileText, wrongTypeValue } from './hostile-values.ts';

/**
 * Hostile mutations of a valid JSON value: one change at one place, so the rest of the
 * request stays valid and the refusal (or the failure) is about that change alone.
 */

type JsonPath = (string | number)[];
interface JsonNode {
  path: JsonPath;
  value: unknown;
}

/** Keys a careless handler might trust: prototypes, ids, owners, states. */
const TEMPTING_KEYS = ['__proto__', 'constructor', 'id', 'sellerId', 'bidderId', 'customerId', 'status', 'version', 'isAdmin', 'role'];

export function mutatedJson(valid: unknown): fc.Arbitrary<{ value: unknown; label: string }> {
  const nodes = nodesOf(valid);
  const inner = nodes.filter((n) => n.path.length > 0);
  const members = inner.filter((n) => typeof n.path[n.path.length - 1] === 'string');
  const strings = inner.filter((n) => typeof n.value === 'string');
  const objects = nodes.filter((n) => isObject(n.value));
  const monies = nodes.filter((n) => isObject(n.value) && 'amount' in n.value && 'currency' in n.value);
  const mutations: fc.Arbitrary<{ value: unknown; label: string }>[] = [];
  if (members.length > 0) {
    mutations.push(fc.constantFrom(...members).map((n) => ({ value: removeAt(valid, n.path), label: `missing ${show(n.path)}` })));
  }
  if (inner.length > 0) {
    mutations.push(
      fc
        .constantFrom(...inner)
        .chain((n) => wrongTypeValue(n.value).map((v) => ({ value: setAt(valid, n.path, v), label: `wrong type at ${show(n.path)}` }))),
    );
  }
  if (strings.length > 0) {
    mutations.push(
      fc
        .constantFrom(...strings)
        .chain((n) => hostileText.map((v) => ({ value: setAt(valid, n.path, v), label: `hostile text at ${show(n.path)}` }))),
    );
  }
  if (monies.length > 0) {
    mutations.push(
      fc
        .constantFrom(...monies)
        .chain((n) => hostileMoney.map((v) => ({ value: setAt(valid, n.path, v), label: `hostile money at ${show(n.path)}` }))),
    );
  }
  if (objects.length > 0) {
    const key = fc.oneof(fc.constantFrom(...TEMPTING_KEYS), hostileText, fc.string({ maxLength: 12 }));
    mutations.push(
      fc.tuple(fc.constantFrom(...objects), key, fc.jsonValue({ maxDepth: 2 })).map(([n, k, v]) => ({
        value: addKeyAt(valid, n.path, k, v),
        label: `extra field ${JSON.stringify(k.slice(0, 20))} at ${show(n.path)}`,
      })),
    );
  }
  return mutations.length > 0 ? fc.oneof(...mutations) : wrongTypeValue(valid).map((value) => ({ value, label: 'wrong type of body' }));
}

/** Every node of a JSON value, the root first. */
export function nodesOf(value: unknown, path: JsonPath = []): JsonNode[] {
  const here: JsonNode = { path, value };
  if (Array.isArray(value)) return [here, ...value.flatMap((v, i) => nodesOf(v, [...path, i]))];
  if (isObject(value)) return [here, ...Object.entries(value).flatMap(([k, v]) => nodesOf(v, [...path, k]))];
  return [here];
}

/** A copy of `root` with the node at `path` replaced (the root itself when the path is empty). */
export function setAt(root: unknown, path: JsonPath, replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path as [string | number, ...JsonPath];
  if (Array.isArray(root)) return root.map((v, i) => (i === head ? setAt(v, rest, replacement) : v));
  const copy = { ...(root as Record<string, unknown>) };
  defineKey(copy, String(head), setAt(copy[String(head)], rest, replacement));
  return copy;
}

function removeAt(root: unknown, path: JsonPath): unknown {
  const parentPath = path.slice(0, -1);
  const key = path[path.length - 1]!;
  const parent = valueAt(root, parentPath);
  if (!isObject(parent)) return root;
  const copy = Object.fromEntries(Object.entries(parent).filter(([k]) => k !== key));
  return setAt(root, parentPath, copy);
}

function addKeyAt(root: unknown, path: JsonPath, key: string, value: unknown): unknown {
  const target = valueAt(root, path);
  if (!isObject(target)) return root;
  const copy = { ...target };
  defineKey(copy, key, value);
  return setAt(root, path, copy);
}

function valueAt(root: unknown, path: JsonPath): unknown {
  return path.reduce<unknown>((node, key) => (node as Record<string | number, unknown> | undefined)?.[key], root);
}

/** `__proto__` as an own, enumerable key (plain assignment would set the prototype instead), so JSON.stringify sends it. */
function defineKey(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const show = (path: JsonPath) => (path.length === 0 ? 'the body' : path.join('.'));
