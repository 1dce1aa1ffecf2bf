import type { SearchAttributeValues } from './search-attributes.ts';

/**
 * The port through which the API and use cases reach Temporal. Two adapters: gRPC via
 * `@temporalio/client` (Node only) and fetch over Temporal's HTTP API (any runtime with
 * fetch: Deno, edge workers). Workflow ids are deterministic from business keys, so
 * starting the same business fact twice finds the saga already there instead of
 * starting a second one.
 */
export interface StartWorkflow {
  workflowType: string;
  workflowId: string;
  taskQueue: string;
  args: unknown[];
  /** Search attributes the Temporal UI can filter on (see search-attributes.ts). */
  searchAttributes?: SearchAttributeValues;
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
  start(request: StartWorkflow): Promise<StartedWorkflow>;
  signal(workflowId: string, signalName: string, arg: unknown): Promise<void>;
  /**
   * Signals the workflow, starting it first if it never ran: one atomic server call.
   * A workflow id whose run already closed is not started again (the business fact was
   * handled); that returns `{ delivered: false }`.
   */
  signalWithStart(request: StartWorkflow & { signalName: string; signalArg: unknown }): Promise<{ delivered: boolean }>;
  query<T>(workflowId: string, queryName: string, ...args: unknown[]): Promise<T>;
  /** Undefined when no workflow has this id. */
  describe(workflowId: string): Promise<WorkflowDescription | undefined>;
  /** Resolves when the frontend answers for the namespace; throws otherwise. */
  checkHealth(): Promise<void>;
}

/** Temporal's `WORKFLOW_EXECUTION_STATUS_RUNNING` (or `RUNNING`) → API.md's `running`. */
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
