/**
 * OpenTelemetry tracing for a Node process (API, worker, relay, dev launcher).
 * One trace follows a request through the API, the Temporal client, the workflow and
 * its activities down to each SQL statement and outgoing HTTP call: the HTTP and pg
 * instrumentations make the spans at the edges, undici's the ones of `fetch`, and the
 * Temporal interceptors carry the context across the server in workflow and activity
 * headers (workflows/interceptors.ts forwards it inside the saga). Off (no provider, no instrumentation, nothing exported) unless an OTLP
 * endpoint is configured or a test hands in its own span processor.
 */
import { createRequire } from 'node:module';
import { trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

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
export function startTracing(options: { serviceName: string; endpoint?: string; spanProcessor?: SpanProcessor }): Tracing {
  const spanProcessor =
    options.spanProcessor ??
    (options.endpoint
      ? new BatchSpanProcessor(new OTLPTraceExporter({ url: `${options.endpoint.replace(/\/$/, '')}/v1/traces` }))
      : undefined);
  if (!spanProcessor) return NO_TRACING;
  const resource = new Resource({ [ATTR_SERVICE_NAME]: options.serviceName });
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register();
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (request) => (request.url ?? '').startsWith('/metrics') }),
      new UndiciInstrumentation(),
      new PgInstrumentation({ enhancedDatabaseReporting: false, requireParentSpan: true }),
    ],
  });
  patchModulesLoadedBefore();
  return {
    shutdown: async () => {
      await provider.shutdown();
      trace.disable();
    },
  };
}

/**
 * The instrumentations patch a module when it is `require`d. This code base is ESM, and
 * its entry points import `pg` and `node:http` before tracing can start, so each is
 * required once more here: the loader's cache hands back the very objects the imports
 * hold, and the hooks patch them in place (`pg.Client.prototype.query`,
 * `http.Server.prototype.emit`).
 */
function patchModulesLoadedBefore(): void {
  const require = createRequire(import.meta.url);
  for (const name of ['http', 'https', 'pg', 'pg-pool']) require(name);
}
