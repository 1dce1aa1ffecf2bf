import type { QueryDefinition, SignalDefinition } from '@temporalio/common';
import type { SearchAttributeValues } from './search-attributes.ts';

/**
 * What the API, the workflows, the tests and the benchmarks agree on about one saga: its
 * workflow type, how its id follows from its business key, its input and result, the
 * signals it accepts and the search attributes it starts with. Each saga has one contract
 * module (`<saga>.contract.ts`) built with `defineSaga`, so a renamed field breaks the
 * build, not a running saga.
 *
 * Contracts are pure: no run-time import of `@temporalio/workflow` (the API on Deno loads
 * them) and none of `src/` beyond pure kernel code. Signal and query definitions are the
 * same plain objects `defineSignal`/`defineQuery` return, built here for that reason.
 */
export interface SagaContract<Input, Result, Signals extends SignalSet = SignalSet> {
  /** The workflow function's exported name, which Temporal uses as its type. */
  readonly workflowType: string;
  /** The saga's id, deterministic from its business key: one business fact, one saga. */
  workflowId(businessKey: string): string;
  /** The id of the saga this input starts. */
  idOf(input: Input): string;
  /** The search attributes the saga is started with (the Temporal UI filters on them). */
  searchAttributes(input: Input): SearchAttributeValues;
  readonly signals: Signals;
  /** Type only, never present: ties the contract to its workflow's input and result. */
  readonly [types]?: { input: Input; result: Result };
}

declare const types: unique symbol;

export type SignalSet = Record<string, SignalDefinition<[unknown]>>;

/** The workflow function a contract describes: one input, one result. */
export type SagaWorkflow<C> = C extends SagaContract<infer Input, infer Result, SignalSet> ? (input: Input) => Promise<Result> : never;

/**
 * Declares a saga's contract: `defineSaga<Input, Result>()({ … })`. Curried so the input
 * and result are named while the signals' types are inferred.
 */
export function defineSaga<Input, Result>() {
  return <Signals extends SignalSet>(contract: {
    workflowType: string;
    workflowId: (businessKey: string) => string;
    /** The input's business key: the auction, the delivery, the withdrawal… */
    businessKey: (input: Input) => string;
    searchAttributes: (input: Input) => SearchAttributeValues;
    signals: Signals;
  }): SagaContract<Input, Result, Signals> => ({
    workflowType: contract.workflowType,
    workflowId: contract.workflowId,
    idOf: (input) => contract.workflowId(contract.businessKey(input)),
    searchAttributes: contract.searchAttributes,
    signals: contract.signals,
  });
}

/** A signal carrying one argument; the same object `defineSignal` builds. */
export function signal<Arg>(name: string): SignalDefinition<[Arg]> {
  return { type: 'signal', name } as SignalDefinition<[Arg]>;
}

/** A query without arguments; the same object `defineQuery` builds. */
export function query<Result>(name: string): QueryDefinition<Result> {
  return { type: 'query', name } as QueryDefinition<Result>;
}

/** One step of a saga's history, timed by the workflow clock (deterministic on replay). */
export interface SagaStep {
  step: string;
  at: string;
}

/** The live state every saga serves through `sagaStateQuery`; `GET /sagas/:workflowId` shows it. */
export interface SagaState {
  /** The saga's current step, e.g. `awaiting-payment`. */
  step: string;
  /** Customers allowed to see this saga (buyer, seller, account owner). */
  parties: string[];
  /** The business ids the saga knows, e.g. `{ auctionId, paymentId }`. */
  ids: Record<string, string>;
  history: SagaStep[];
}

/** Every saga answers it (workflows/saga-journal.ts). */
export const sagaStateQuery = query<SagaState>('sagaState');
