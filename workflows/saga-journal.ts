import { patched, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { SAGAS_OF_2026_11_30 } from './patches.ts';
import { sagaStateQuery, type SagaState } from './saga-contract.ts';
import type { SearchAttributeName } from './search-attributes.ts';

/** Where the interceptors find this workflow's journal; the sandbox keeps globals per workflow. */
const THIS_WORKFLOWS_JOURNAL = Symbol.for('marketplace.sagaJournal');

type Attributes = Partial<Record<SearchAttributeName, string[]>>;

/**
 * A saga's record of where it is: answers the `sagaState` query (every step, at once),
 * keeps the `SagaStep` and `CustomerId` search attributes (the Temporal UI lists sagas by
 * step and customer; the API reads them when no worker answers the query) and the
 * business ids the saga learns, and remembers each step with its time. Workflow code
 * only: time comes from the workflow clock.
 *
 * Sagas started from 2026-11-30 on (SAGAS_OF_2026_11_30) write Temporal's record when
 * they come to rest and when they end: the workflow interceptors call `writeToRecord()`
 * before every timer (each wait of a saga has one) and after the saga's last step. A
 * step that only runs one of our own activities is therefore seen by the query, not in
 * the record, which shows the step the saga last waited in. Older sagas replay as they
 * were recorded, with one upsert per step.
 */
export class SagaJournal {
  readonly #state: SagaState;
  readonly #writesAtRest: boolean;
  #unwritten: Attributes = {};

  constructor(first: string, parties: string[], ids: Record<string, string>) {
    this.#state = { step: first, parties, ids: { ...ids }, history: [{ step: first, at: new Date().toISOString() }] };
    setHandler(sagaStateQuery, () => this.#state);
    this.#writesAtRest = patched(SAGAS_OF_2026_11_30);
    if (this.#writesAtRest) (globalThis as Record<symbol, unknown>)[THIS_WORKFLOWS_JOURNAL] = this;
    // Every party, whoever started the saga: the API checks who may look at a saga against
    // this when no worker is there to answer the query.
    this.searchable({ SagaStep: [first], CustomerId: parties });
  }

  /** This workflow's journal, if it writes at rest. */
  static ofThisWorkflow(): SagaJournal | undefined {
    return (globalThis as Record<symbol, SagaJournal | undefined>)[THIS_WORKFLOWS_JOURNAL];
  }

  get step(): string {
    return this.#state.step;
  }

  enter(step: string): void {
    if (step === this.#state.step) return;
    this.#state.step = step;
    this.#state.history.push({ step, at: new Date().toISOString() });
    this.searchable({ SagaStep: [step] });
  }

  /** Adds a business id learned along the way (a payment id, a delivery id). */
  know(name: string, value: string): void {
    this.#state.ids[name] = value;
  }

  /** Search attributes for Temporal's record: at once for older sagas, else at the next rest. */
  searchable(attributes: Attributes): void {
    if (!this.#writesAtRest) return upsertSearchAttributes(attributes);
    Object.assign(this.#unwritten, attributes);
  }

  /** Writes, in one upsert, what differs from Temporal's record of the saga; nothing when nothing does. */
  writeToRecord(): void {
    const recorded = workflowInfo().searchAttributes;
    const changed = Object.entries(this.#unwritten).filter(([name, values]) => JSON.stringify(recorded[name]) !== JSON.stringify(values));
    this.#unwritten = {};
    if (changed.length > 0) upsertSearchAttributes(Object.fromEntries(changed));
  }
}
