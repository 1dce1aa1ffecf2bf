import { setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { sagaStateQuery, type SagaState } from './saga-contract.ts';

/**
 * A saga's record of where it is: answers the `sagaState` query, keeps the `SagaStep`
 * and `CustomerId` search attributes current (the Temporal UI lists sagas by step and
 * customer; the API reads them when no worker answers the query), and remembers
 * each step with its time. Workflow code only: time comes from the workflow clock.
 */
export class SagaJournal {
  readonly #state: SagaState;

  constructor(first: string, parties: string[], ids: Record<string, string>) {
    this.#state = { step: first, parties, ids: { ...ids }, history: [{ step: first, at: new Date().toISOString() }] };
    setHandler(sagaStateQuery, () => this.#state);
    // Every party, whoever started the saga: the API checks who may look at a saga against
    // this when no worker is there to answer the query.
    upsertSearchAttributes({ SagaStep: [first], CustomerId: parties });
  }

  get step(): string {
    return this.#state.step;
  }

  enter(step: string): void {
    if (step === this.#state.step) return;
    this.#state.step = step;
    this.#state.history.push({ step, at: new Date().toISOString() });
    upsertSearchAttributes({ SagaStep: [step] });
  }

  /** Adds a business id learned along the way (a payment id, a delivery id). */
  know(name: string, value: string): void {
    this.#state.ids[name] = value;
  }
}
