/**
 * The OpenTelemetry SDK behind `startTracing` (tracing.ts), in a module of its own so
 * that a process with tracing off never loads it: the SDK, the OTLP exporter and the
 * instrumentations cost a worker some 25 MB of memory.
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
import type { Tracing } from './tracing.ts';

/** Registers a tracer provider exporting to `spanProcessor`, and the HTTP, fetch and pg instrumentations. */
export function startTracingSdk(options: { serviceName: string; spanProcessor?: SpanProcessor; endpoint?: string }): Tracing {
  const spanProcessor =
    options.spanProcessor ?? new BatchSpanProcessor(new OTLPTraceExporter({ url: `${options.endpoint!.replace(/\/$/, '')}/v1/traces` }));
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
