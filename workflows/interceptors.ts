/**
 * The workflow interceptors every saga runs with (bundled with the workflows, see
 * WORKFLOW_INTERCEPTOR_MODULES): the saga metrics below, and OpenTelemetry's, which
 * continue the caller's trace into the workflow and on to each activity it schedules.
 */
import { interceptors as openTelemetryInterceptors } from '@temporalio/interceptors-opentelemetry/lib/workflow-interceptors';
import {
  ContinueAsNew,
  proxySinks,
  workflowInfo,
  type Next,
  type WorkflowExecuteInput,
  type WorkflowInboundCallsInterceptor,
  type WorkflowInterceptors,
} from '@temporalio/workflow';
import type { SagaMetricsSinks } from './saga-metrics.sinks.ts';

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

export const interceptors = (): WorkflowInterceptors => {
  const tracing = openTelemetryInterceptors();
  return {
    inbound: [new SagaMetricsInterceptor(), ...(tracing.inbound ?? [])],
    outbound: tracing.outbound ?? [],
    internals: tracing.internals ?? [],
  };
};
