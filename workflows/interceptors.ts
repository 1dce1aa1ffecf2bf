/**
 * The workflow interceptors every saga runs with (bundled with the workflows, see
 * WORKFLOW_INTERCEPTOR_MODULES): the saga metrics, and the trace context carried from
 * the saga's start to every activity, child saga and next run it schedules.
 *
 * Why not OpenTelemetry's own workflow interceptors: they make and export spans inside
 * the sandbox, and with them in the bundle each cached workflow took about three times
 * the memory and first workflow tasks ran several times slower (bench memory/latency),
 * whether tracing was on or off. Passing the start's trace header along costs nothing,
 * and still makes a saga one trace: the request, its StartWorkflow span, then every
 * activity of the saga and of its children (their spans are made on the worker, outside
 * the sandbox, by the OpenTelemetry activity interceptor) and their SQL.
 */
import type { Payload } from '@temporalio/common';
import {
  ContinueAsNew,
  proxySinks,
  workflowInfo,
  type Next,
  type WorkflowExecuteInput,
  type WorkflowInboundCallsInterceptor,
  type WorkflowInterceptors,
  type WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';
import { SagaJournal } from './saga-journal.ts';
import type { SagaMetricsSinks } from './saga-metrics.sinks.ts';

/**
 * The header in which @temporalio/interceptors-opentelemetry carries a trace context
 * (its TRACE_HEADER; test/unit/workflow-trace-header.test.ts checks they agree). Restated
 * here because importing it would bring that package into the sandbox.
 */
export const TRACE_HEADER = '_tracer-data';

const { sagaMetrics } = proxySinks<SagaMetricsSinks>();

/** Counts each saga once when it starts and once when it ends, however many runs it takes. */
class SagaMetricsInterceptor implements WorkflowInboundCallsInterceptor {
  async execute(input: WorkflowExecuteInput, next: Next<WorkflowInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    if (!workflowInfo().continuedFromExecutionRunId) sagaMetrics.started();
    try {
      const result = await next(input);
      sagaMetrics.completed();
      return result;
    } catch (error) {
      // Continuing as new is a saga handing its history to its next run, not an end.
      if (!(error instanceof ContinueAsNew)) sagaMetrics.failed();
      throw error;
    }
  }
}

/** The start's trace header, read on execute and added to everything the saga schedules. */
class TraceHeaderForwarding {
  #header: Payload | undefined;

  readonly inbound: WorkflowInboundCallsInterceptor = {
    execute: (input, next) => {
      this.#header = input.headers[TRACE_HEADER];
      return next(input);
    },
  };

  readonly outbound: WorkflowOutboundCallsInterceptor = {
    scheduleActivity: (input, next) => next({ ...input, headers: this.with(input.headers) }),
    scheduleLocalActivity: (input, next) => next({ ...input, headers: this.with(input.headers) }),
    startChildWorkflowExecution: (input, next) => next({ ...input, headers: this.with(input.headers) }),
    continueAsNew: (input, next) => next({ ...input, headers: this.with(input.headers) }),
  };

  private with(headers: Record<string, Payload>): Record<string, Payload> {
    return this.#header && !headers[TRACE_HEADER] ? { ...headers, [TRACE_HEADER]: this.#header } : headers;
  }
}

/**
 * Writes the saga's step and ids to Temporal's record (SagaJournal) when the saga comes
 * to rest, before each timer it waits under, and when it ends, however it ends
 * (completed, failed, cancelled, continued as new).
 */
const journalWriting = {
  inbound: {
    async execute(input, next) {
      try {
        return await next(input);
      } finally {
        SagaJournal.ofThisWorkflow()?.writeToRecord();
      }
    },
  } satisfies WorkflowInboundCallsInterceptor,
  outbound: {
    startTimer(input, next) {
      SagaJournal.ofThisWorkflow()?.writeToRecord();
      return next(input);
    },
  } satisfies WorkflowOutboundCallsInterceptor,
};

/** Called once per workflow, so each saga's header stays its own. */
export const interceptors = (): WorkflowInterceptors => {
  const tracing = new TraceHeaderForwarding();
  return {
    inbound: [new SagaMetricsInterceptor(), tracing.inbound, journalWriting.inbound],
    outbound: [tracing.outbound, journalWriting.outbound],
  };
};
