/**
 * OpenTelemetry tracing for a Node process (API, worker, relay, dev launcher).
 * One trace follows a request through the API, the Temporal client, the workflow and
 * its activities down to each SQL statement and outgoing HTTP call: the HTTP and pg
 * instrumentations make the spans at the edges, undici's the ones of `fetch`, and the
 * Temporal interceptors carry the context across the server in workflow and activity
 * headers (workflows/interceptors.ts forwards it inside the saga); an outbox message
 * carries it to the relay (trace-parent.ts). Off (no provider, no instrumentation,
 * nothing exported, the SDK not even loaded) unless an OTLP endpoint is configured or a
 * test hands in its own span processor.
 */
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';

export interface Tracing {
  /** Exports what is buffered and stops. */
  shutdown(): Promise<void>;
}

const NO_TRACING: Tracing = { shutdown: async () => {} };

/**
 * Starts tracing for this process, once. `endpoint` is an OTLP/HTTP collector
 * (`OTEL_EXPORTER_OTLP_ENDPOINT`); `spanProcessor` replaces it (tests, with an in-memory
 * exporter). Neither given: tracing stays off and this returns NO_TRACING.
 */
export async function startTracing(options: { serviceName: string; endpoint?: string; spanProcessor?: SpanProcessor }): Promise<Tracing> {
  if (!options.spanProcessor && !options.endpoint) return NO_TRACING;
  const { startTracingSdk } = await import('./tracing-sdk.ts');
  return startTracingSdk(options);
}
