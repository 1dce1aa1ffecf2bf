import { collectDefaultMetrics, Registry } from 'prom-client';

export { Registry };

/**
 * One Prometheus registry per process, never prom-client's global one: the tests run
 * many apps and workers in one process, and each must count only its own. The
 * process-wide series (CPU, memory, event-loop lag, GC) are added only by the entry
 * points, once per process, since they describe the process and not one app.
 */
export function createMetricsRegistry(options: { processMetrics: boolean }): Registry {
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry });
  return registry;
}

/** The exposition's body and content type, as prom-client renders them. */
export async function renderMetrics(registry: Registry): Promise<{ body: string; contentType: string }> {
  return { body: await registry.metrics(), contentType: registry.contentType };
}
