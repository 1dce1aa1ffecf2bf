import type { QueryDefinition, SignalDefinition } from '@temporalio/common';
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

/** gRPC status codes the HTTP API returns in its error body. */
const NOT_FOUND = 5;
const ALREADY_EXISTS = 6;

/**
 * The fetch-only adapter over Temporal's HTTP API (the frontend's `--http-port`), for
 * runtimes where `@temporalio/client` cannot run (it needs Node's gRPC; sdk-typescript
 * issue 1285). Payloads use the API's JSON shorthand: a plain JSON value stands for a
 * `json/plain` payload, which is what the TypeScript SDK's default converter reads.
 */
export class HttpWorkflowGateway implements WorkflowGateway {
  readonly #base: string;

  constructor(
    httpAddress: string,
    namespace: string,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {
    const origin = /^https?:\/\//.test(httpAddress) ? httpAddress : `http://${httpAddress}`;
    this.#base = `${origin.replace(/\/$/, '')}/api/v1/namespaces/${encodeURIComponent(namespace)}`;
  }

  async start<Input, Result>(saga: SagaContract<Input, Result>, input: Input, options: StartOptions): Promise<StartedWorkflow> {
    const workflowId = saga.idOf(input);
    const response = await this.call('POST', `/workflows/${encodeURIComponent(workflowId)}`, {
      ...startFields(saga, input, options),
      workflowIdReusePolicy: 'WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE',
    });
    if (response.ok) return { workflowId, started: true };
    const error = await readError(response);
    if (error.code === ALREADY_EXISTS) return { workflowId, started: false };
    throw temporalError('start', error);
  }

  async signal<Arg>(workflowId: string, signal: SignalDefinition<[Arg]>, arg: Arg): Promise<void> {
    const response = await this.call('POST', `/workflows/${encodeURIComponent(workflowId)}/signal/${encodeURIComponent(signal.name)}`, {
      input: [arg],
      requestId: crypto.randomUUID(),
    });
    await this.expectOk(response, 'signal', workflowId);
  }

  async signalWithStart<Input, Result, Arg>(
    saga: SagaContract<Input, Result>,
    input: Input,
    signal: SignalDefinition<[Arg]>,
    arg: Arg,
    options: StartOptions,
  ): Promise<{ delivered: boolean }> {
    const response = await this.call(
      'POST',
      `/workflows/${encodeURIComponent(saga.idOf(input))}/signal-with-start/${encodeURIComponent(signal.name)}`,
      { ...startFields(saga, input, options), signalInput: [arg], workflowIdReusePolicy: 'WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE' },
    );
    if (response.ok) return { delivered: true };
    const error = await readError(response);
    if (error.code === ALREADY_EXISTS) return { delivered: false };
    throw temporalError('signal-with-start', error);
  }

  async query<Result>(workflowId: string, query: QueryDefinition<Result>, options: { timeoutMs?: number } = {}): Promise<Result> {
    const response = await this.call(
      'POST',
      `/workflows/${encodeURIComponent(workflowId)}/query/${encodeURIComponent(query.name)}`,
      { query: { queryArgs: [] } },
      options.timeoutMs,
    );
    await this.expectOk(response, 'query', workflowId);
    const body = (await response.json()) as { queryResult?: unknown[] };
    return body.queryResult?.[0] as Result;
  }

  async describe(workflowId: string): Promise<WorkflowDescription | undefined> {
    const response = await this.call('GET', `/workflows/${encodeURIComponent(workflowId)}`);
    if (!response.ok) {
      const error = await readError(response);
      if (error.code === NOT_FOUND) return undefined;
      throw temporalError('describe', error);
    }
    const body = (await response.json()) as {
      workflowExecutionInfo: {
        execution: { workflowId: string; runId: string };
        type: { name: string };
        status: string;
        startTime?: string;
        closeTime?: string;
        searchAttributes?: { indexedFields?: Record<string, { data?: unknown } | unknown> };
      };
    };
    const info = body.workflowExecutionInfo;
    return {
      workflowId: info.execution.workflowId,
      runId: info.execution.runId,
      type: info.type.name,
      status: toWorkflowStatus(info.status),
      startTime: info.startTime,
      closeTime: info.closeTime,
      searchAttributes: keywordLists(
        Object.fromEntries(
          Object.entries(info.searchAttributes?.indexedFields ?? {}).map(([name, payload]) => [name, decodePayload(payload)]),
        ),
      ),
    };
  }

  async checkHealth(): Promise<void> {
    const response = await this.call('GET', '');
    if (!response.ok) throw temporalError('describe namespace', await readError(response));
    await response.body?.cancel();
  }

  private call(method: 'GET' | 'POST', path: string, body?: unknown, timeoutMs = 10_000): Promise<Response> {
    return this.fetchImpl(`${this.#base}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  }

  private async expectOk(response: Response, operation: string, workflowId: string): Promise<void> {
    if (response.ok) return;
    const error = await readError(response);
    if (error.code === NOT_FOUND) throw new WorkflowNotFound(workflowId);
    throw temporalError(operation, error);
  }
}

function startFields<Input, Result>(saga: SagaContract<Input, Result>, input: Input, { taskQueue }: StartOptions): Record<string, unknown> {
  return {
    workflowType: { name: saga.workflowType },
    taskQueue: { name: taskQueue },
    input: [input],
    requestId: crypto.randomUUID(),
    searchAttributes: { indexedFields: toIndexedFields(saga.searchAttributes(input)) },
  };
}

async function readError(response: Response): Promise<{ code?: number; message: string; status: number }> {
  const text = await response.text();
  try {
    const body = JSON.parse(text) as { code?: number; message?: string };
    return { code: body.code, message: body.message ?? text, status: response.status };
  } catch {
    return { message: text || response.statusText, status: response.status };
  }
}

function temporalError(operation: string, error: { message: string; status: number }): Error {
  return new Error(`Temporal HTTP API ${operation} failed (${error.status}): ${error.message}`);
}

/** Keyword lists travel as JSON arrays, keywords as strings; the server knows each type. */
function toIndexedFields(attributes: SearchAttributeValues): Record<string, string | string[]> {
  return Object.fromEntries(
    Object.entries(attributes).map(([name, value]) => [
      name,
      SEARCH_ATTRIBUTES[name as SearchAttributeName] === 'KeywordList' ? [value ?? []].flat() : [value ?? ''].flat().join(','),
    ]),
  );
}

/**
 * A JSON payload as the HTTP API renders it: `{ metadata, data }` with `data` the base64
 * of the JSON text, or, in the API's payload shorthand, the JSON value itself.
 */
function decodePayload(payload: unknown): unknown {
  if (payload === null || typeof payload !== 'object' || !('data' in payload)) return payload;
  const data = (payload as { data?: unknown }).data;
  if (typeof data !== 'string') return data;
  try {
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(data), (c) => c.charCodeAt(0))));
  } catch {
    return undefined;
  }
}
