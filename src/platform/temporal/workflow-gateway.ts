import type { QueryDefinition, SignalDefinition } from '@temporalio/common';
import type { SagaContract } from '../../../workflows/saga-contract.ts';

/**
 * The port through which the API and use cases reach Temporal. Two adapters: gRPC via
 * `@temporalio/client` (Node only) and fetch over Temporal's HTTP API (any runtime with
 * fetch: Deno, edge workers). Every start goes through a saga's contract
 * (workflows/<saga>.contract.ts), which gives the workflow type, the id, the search
 * attributes and the input's type. Ids are deterministic from business keys, so starting
 * the same business fact twice finds the saga already there instead of starting a second.
 */
export interface StartOptions {
  taskQueue: string;
}

export interface StartedWorkflow {
  workflowId: string;
  /** False when a run with this id already existed: nothing new was started. */
  started: boolean;
}

export type WorkflowStatus = 'running' | 'completed' | 'failed' | 'cancelled' | 'terminated' | 'timed_out' | 'continued_as_new' | 'unknown';

export interface WorkflowDescription {
  workflowId: string;
  runId: string;
  type: string;
  status: WorkflowStatus;
  startTime?: string;
  closeTime?: string;
  /** Its search attributes as keyword lists (`CustomerId`, `SagaStep`, …): Temporal's own record, readable with no worker running. */
  searchAttributes: Record<string, string[]>;
}

export interface WorkflowGateway {
  start<Input, Result>(saga: SagaContract<Input, Result>, input: NoInfer<Input>, options: StartOptions): Promise<StartedWorkflow>;
  signal<Arg>(workflowId: string, signal: SignalDefinition<[Arg]>, arg: NoInfer<Arg>): Promise<void>;
  /**
   * Signals the saga, starting it first if it never ran: one atomic server call. A
   * workflow id whose run already closed is not started again (the business fact was
   * handled); that returns `{ delivered: false }`.
   */
  signalWithStart<Input, Result, Arg>(
    saga: SagaContract<Input, Result>,
    input: NoInfer<Input>,
    signal: SignalDefinition<[Arg]>,
    arg: NoInfer<Arg>,
    options: StartOptions,
  ): Promise<{ delivered: boolean }>;
  /**
   * Asks a running (or replayed) saga. A query waits for a worker to take it; `timeoutMs`
   * bounds the call itself, so a caller that stops waiting leaves nothing in flight (an
   * abandoned query kept retrying inside the client until its connection closed).
   */
  query<Result>(workflowId: string, query: QueryDefinition<Result>, options?: { timeoutMs?: number }): Promise<Result>;
  /** Undefined when no workflow has this id. */
  describe(workflowId: string): Promise<WorkflowDescription | undefined>;
  /** Resolves when the frontend answers for the namespace; throws otherwise. */
  checkHealth(): Promise<void>;
}

/** Temporal's `WORKFLOW_EXECUTION_STATUS_RUNNING` (or `RUNNING`) → the API's `running` (the `Saga` schema in docs/routes.md). */
export function toWorkflowStatus(raw: string | undefined): WorkflowStatus {
  const name = (raw ?? '').replace(/^WORKFLOW_EXECUTION_STATUS_/, '').toLowerCase();
  const known: WorkflowStatus[] = ['running', 'completed', 'failed', 'cancelled', 'terminated', 'timed_out', 'continued_as_new'];
  if (name === 'canceled') return 'cancelled';
  return known.includes(name as WorkflowStatus) ? (name as WorkflowStatus) : 'unknown';
}

/** Keyword values of decoded search attributes (a keyword is one string, a keyword list many). */
export function keywordLists(attributes: Record<string, unknown> | undefined): Record<string, string[]> {
  const lists: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(attributes ?? {})) {
    const values = Array.isArray(value) ? value : [value];
    lists[name] = values.filter((v): v is string => typeof v === 'string');
  }
  return lists;
}

/** Raised when a signal or query targets a workflow id that does not exist. */
export class WorkflowNotFound extends Error {
  constructor(readonly workflowId: string) {
    super(`no workflow with id ${workflowId}`);
    this.name = 'WorkflowNotFound';
  }
}
