import { setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { SagaState } from '../src/platform/temporal/saga-state.ts';
import { sagaStateQuery } from './messages.ts';

/**
 * A saga's record of where it is: answers the `sagaState` query, keeps the `SagaStep`
 * search attribute current (so the Temporal UI can list sagas by step), and remembers
 * each step with its time. Workflow code only: time comes from the workflow clock.
 */
export class SagaJournal {
  readonly #state: SagaState;

  constructor(first: string, parties: string[], ids: Record<string, string>) {
    this.#state = { step: first, parties, ids: { ...ids }, history: [{ step: first, at: new Date().toISOString() }] };
    setHandler(sagaStateQuery, () => this.#state);
    upsertSearchAttributes({ SagaStep: [first] });
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
