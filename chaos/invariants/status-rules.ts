import type { SagaState } from './saga-status.ts';
import type { NodePayment, ProviderCharge } from './simulator-records.ts';

/**
 * A small language for "which status needs which saga state": each status of an
 * aggregate has a rule, a list of requirements on its sagas and on the facts around it,
 * and a sentence saying why. The table itself is data (aggregate-rules.ts).
 */

/** What a rule may consult besides the aggregate's own record. */
export interface Facts {
  saga(workflowId: string): Promise<SagaState>;
  chargesOf(paymentId: string): readonly ProviderCharge[];
  nodePayment(paymentHash: string): NodePayment | undefined;
  paymentStatus(paymentId: string): string | undefined;
}

/** One thing a status needs. `check` answers undefined when it holds, else what is so instead. */
export interface Requirement<R> {
  needs: string;
  check(record: R, facts: Facts): Promise<string | undefined>;
}

export interface StatusRule<R> {
  /** Why this status needs exactly this: the code paths that leave it. */
  why: string;
  requires: readonly Requirement<R>[];
}

export type StatusRules<R> = Readonly<Record<string, StatusRule<R>>>;

/** The saga named by `workflowId(record)` is in one of `allowed`. */
export function saga<R>(label: string, workflowId: (record: R) => string, allowed: readonly SagaState[]): Requirement<R> {
  return {
    needs: `its ${label} ${allowed.join(' or ')}`,
    async check(record, facts) {
      const id = workflowId(record);
      const state = await facts.saga(id);
      return allowed.includes(state) ? undefined : `${id} is ${state}`;
    },
  };
}

/** Every saga named by `workflowIds(record)` is in one of `allowed`; holds when none is named. */
export function everySaga<R>(label: string, workflowIds: (record: R) => readonly string[], allowed: readonly SagaState[]): Requirement<R> {
  return {
    needs: `all its ${label} ${allowed.join(' or ')}`,
    async check(record, facts) {
      const states = await Promise.all(workflowIds(record).map(async (id) => ({ id, state: await facts.saga(id) })));
      const off = states.filter(({ state }) => !allowed.includes(state));
      return off.length === 0 ? undefined : off.map(({ id, state }) => `${id} is ${state}`).join(', ');
    },
  };
}

/** A fact about the record or the world around it; `found` returns undefined when it holds, else what is so instead. */
export function fact<R>(needs: string, found: (record: R, facts: Facts) => string | undefined): Requirement<R> {
  return { needs, check: async (record, facts) => found(record, facts) };
}

/** Holds when every requirement of at least one alternative holds. */
export function either<R>(...alternatives: readonly (readonly Requirement<R>[])[]): Requirement<R> {
  const describe = (list: readonly Requirement<R>[]) => list.map((r) => r.needs).join(' and ');
  return {
    needs: alternatives.map((list) => `(${describe(list)})`).join(' or '),
    async check(record, facts) {
      const found: string[] = [];
      for (const list of alternatives) {
        const unmet = (await Promise.all(list.map((r) => r.check(record, facts)))).filter((f): f is string => f !== undefined);
        if (unmet.length === 0) return undefined;
        found.push(...unmet);
      }
      return [...new Set(found)].join(', ');
    },
  };
}

/** What a record's rule needs and does not get, as "needs X, but Y" phrases; empty when it is where its sagas say. */
export async function unmetNeeds<R>(rule: StatusRule<R>, record: R, facts: Facts): Promise<string[]> {
  const results = await Promise.all(rule.requires.map(async (r) => ({ needs: r.needs, found: await r.check(record, facts) })));
  return results.filter(({ found }) => found !== undefined).map(({ needs, found }) => `needs ${needs}, but ${found}`);
}
