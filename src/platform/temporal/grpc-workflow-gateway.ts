import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { Client, Connection, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { defineSearchAttributeKey, type QueryDefinition, type SearchAttributePair, type SignalDefinition } from '@temporalio/common';
import type { SagaContract } from '../../../workflows/saga-contract.ts';
import { SEARCH_ATTRIBUTES, type SearchAttributeName, type SearchAttributeValues } from '../../../workflows/search-attributes.ts';
import {
  keywordLists,
  toWorkflowStatus,
  WorkflowNotFound,
  type StartOptions,
  type StartedWorkflow,
  type WorkflowDescription,
  type WorkflowGateway,
} from './workflow-gateway.ts';

/**
 * The Node adapter: `@temporalio/client` over gRPC. Starts are typed by the saga's
 * workflow function type (`(input) => Promise<result>`, from its contract), passed to the
 * client as its type parameter; the API never loads the workflow code itself.
 */
export class GrpcWorkflowGateway implements WorkflowGateway {
  private constructor(
    readonly client: Client,
    private readonly connection: Connection,
  ) {}

  static async connect(address: string, namespace: string): Promise<GrpcWorkflowGateway> {
    const connection = await Connection.connect({ address });
    // Carries the caller's trace into the workflow's headers (a no-op while tracing is off).
    const interceptors = { workflow: [new OpenTelemetryWorkflowClientInterceptor()] };
    return new GrpcWorkflowGateway(new Client({ connection, namespace, interceptors }), connection);
  }

  async start<Input, Result>(saga: SagaContract<Input, Result>, input: Input, { taskQueue }: StartOptions): Promise<StartedWorkflow> {
    const workflowId = saga.idOf(input);
    try {
      await this.client.workflow.start<(input: Input) => Promise<Result>>(saga.workflowType, {
        workflowId,
        taskQueue,
        args: [input],
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        typedSearchAttributes: toSearchAttributes(saga.searchAttributes(input)),
      });
      return { workflowId, started: true };
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) return { workflowId, started: false };
      throw error;
    }
  }

  async signal<Arg>(workflowId: string, signal: SignalDefinition<[Arg]>, arg: Arg): Promise<void> {
    await this.withNotFound(workflowId, () => this.client.workflow.getHandle(workflowId).signal(signal, arg));
  }

  async signalWithStart<Input, Result, Arg>(
    saga: SagaContract<Input, Result>,
    input: Input,
    signal: SignalDefinition<[Arg]>,
    arg: Arg,
    { taskQueue }: StartOptions,
  ): Promise<{ delivered: boolean }> {
    try {
      await this.client.workflow.signalWithStart<(input: Input) => Promise<Result>, [Arg]>(saga.workflowType, {
        workflowId: saga.idOf(input),
        taskQueue,
        args: [input],
        signal,
        signalArgs: [arg],
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        typedSearchAttributes: toSearchAttributes(saga.searchAttributes(input)),
      });
      return { delivered: true };
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) return { delivered: false };
      throw error;
    }
  }

  async query<Result>(workflowId: string, query: QueryDefinition<Result>, options: { timeoutMs?: number } = {}): Promise<Result> {
    const ask = () => this.client.workflow.getHandle(workflowId).query(query);
    const { timeoutMs } = options;
    return this.withNotFound(workflowId, () =>
      timeoutMs === undefined ? ask() : this.connection.withDeadline(Date.now() + timeoutMs, ask),
    );
  }

  async describe(workflowId: string): Promise<WorkflowDescription | undefined> {
    try {
      const d = await this.client.workflow.getHandle(workflowId).describe();
      return {
        workflowId: d.workflowId,
        runId: d.runId,
        type: d.type,
        status: toWorkflowStatus(d.status.name),
        startTime: d.startTime.toISOString(),
        closeTime: d.closeTime?.toISOString(),
        searchAttributes: keywordLists(d.searchAttributes),
      };
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return undefined;
      throw error;
    }
  }

  async checkHealth(): Promise<void> {
    await this.connection.workflowService.getSystemInfo({});
  }

  async close(): Promise<void> {
    await this.connection.close();
  }

  private async withNotFound<T>(workflowId: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw new WorkflowNotFound(workflowId);
      throw error;
    }
  }
}

function toSearchAttributes(attributes: SearchAttributeValues | undefined): SearchAttributePair[] | undefined {
  if (!attributes) return undefined;
  return Object.entries(attributes).map(([name, value]): SearchAttributePair => {
    if (SEARCH_ATTRIBUTES[name as SearchAttributeName] === 'KeywordList') {
      return { key: defineSearchAttributeKey(name, 'KEYWORD_LIST'), value: [value ?? []].flat() };
    }
    return { key: defineSearchAttributeKey(name, 'KEYWORD'), value: [value ?? ''].flat().join(',') };
  });
}
