/**
 * The live state every saga serves through its `sagaState` query; `GET /sagas/:workflowId`
 * shows it next to Temporal's own status. Pure types and constants only: workflow code
 * imports this file, so it must stay free of I/O.
 */
export const SAGA_STATE_QUERY = 'sagaState';

export interface SagaStep {
  step: string;
  /** ISO time from the workflow clock (deterministic on replay). */
  at: string;
}

export interface SagaState {
  /** The saga's own current step, e.g. `awaiting-payment`. */
  step: string;
  /** Customers allowed to see this saga (buyer, seller, account owner). */
  parties: string[];
  /** The business ids the saga knows, e.g. `{ auctionId, paymentId }`. */
  ids: Record<string, string>;
  history: SagaStep[];
}
