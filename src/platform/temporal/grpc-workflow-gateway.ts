import { Client, Connection, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { defineSearchAttributeKey, type SearchAttributePair } from '@temporalio/common';
import { SEARCH_ATTRIBUTES, type SearchAttributeName, type SearchAttributeValues } from './search-attributes.ts';
import {
  keywordLists,
  toWorkflowStatus,
  WorkflowNotFound,
  type StartWorkflow,
  type StartedWorkflow,
  type WorkflowDescription,
  type WorkflowGateway,
} from './workflow-gateway.ts';

/** The Node adapter: `@temporalio/client` over gRPC. */
export class GrpcWorkflowGateway implements WorkflowGateway {
  private constructor(
    readonly client: Client,
    private readonly connection: Connection,
  ) {}

  static async connect(address: string, namespace: string): Promise<GrpcWorkflowGateway> {
    const connection = await Connection.connect({ address });
    return new GrpcWorkflowGateway(new Client({ connection, namespace }), connection);
  }

  async start(request: StartWorkflow): Promise<StartedWorkflow> {
    try {
      await this.client.workflow.start(request.workflowType, {
        workflowId: request.workflowId,
        taskQueue: request.taskQueue,
        args: request.args,
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        typedSearchAttributes: toSearchAttributes(request.searchAttributes),
      });
      return { workflowId: request.workflowId, started: true };
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) return { workflowId: request.workflowId, started: false };
      throw error;
    }
  }

  async signal(workflowId: string, signalName: string, arg: unknown): Promise<void> {
    await this.withNotFound(workflowId, () => this.client.workflow.getHandle(workflowId).signal(signalName, arg));
  }

  async signalWithStart(request: StartWorkflow & { signalName: string; signalArg: unknown }): Promise<{ delivered: boolean }> {
    try {
      await this.client.workflow.signalWithStart(request.workflowType, {
        workflowId: request.workflowId,
        taskQueue: request.taskQueue,
        args: request.args,
        signal: request.signalName,
        signalArgs: [request.signalArg],
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        typedSearchAttributes: toSearchAttributes(request.searchAttributes),
      });
      return { delivered: true };
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) return { delivered: false };
      throw error;
    }
  }

  async query<T>(workflowId: string, queryName: string, ...args: unknown[]): Promise<T> {
    return this.withNotFound(workflowId, () => this.client.workflow.getHandle(workflowId).query<T, unknown[]>(queryName, ...args));
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
