import { trace, type Span } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboxRelay } from '../../src/platform/db/outbox-relay.ts';
import { enqueueMessages, type Message } from '../../src/platform/db/outbox.ts';
import { silentLogger } from '../../src/platform/log.ts';
import { startTracing, type Tracing } from '../../src/platform/observability/tracing.ts';
import { createTestDatabase } from '../support/test-env.ts';

/**
 * A message carries the trace it was recorded in, and the relay delivers it inside that
 * trace: what a handler does (a saga it starts, its SQL) joins the request's trace, and
 * the trace is the same whether the request's own fast path or the outbox's handler
 * started the saga first.
 */
const exporter = new InMemorySpanExporter();
let tracing: Tracing;
let db: Awaited<ReturnType<typeof createTestDatabase>>;

beforeAll(async () => {
  tracing = await startTracing({ serviceName: 'outbox-trace-test', spanProcessor: new SimpleSpanProcessor(exporter) });
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
  await tracing?.shutdown();
});

const tracer = () => trace.getTracer('outbox-trace-test');

async function enqueue(messages: Message[]): Promise<void> {
  const writer = await db.pools.write.connect();
  try {
    await writer.query('BEGIN');
    await enqueueMessages(writer, messages);
    await writer.query('COMMIT');
  } finally {
    writer.release();
  }
}

/** Delivers the pending messages, each inside a span of its own, and returns those spans by message id. */
async function relayInSpans(): Promise<Map<string, { traceId: string; parentSpanId: string | undefined }>> {
  const handled = new Map<string, Span>();
  const relay = new OutboxRelay({
    pool: db.pools.write,
    logger: silentLogger,
    dispatch: async (message) => {
      const span = tracer().startSpan(`handle ${message.type}`);
      handled.set(message.id, span);
      span.end();
    },
  });
  while ((await relay.relayBatch()) > 0);
  const byId = new Map<string, { traceId: string; parentSpanId: string | undefined }>();
  for (const [id, span] of handled) {
    const finished = exporter.getFinishedSpans().find((s) => s.spanContext().spanId === span.spanContext().spanId)!;
    byId.set(id, { traceId: finished.spanContext().traceId, parentSpanId: finished.parentSpanId });
  }
  return byId;
}

describe('the outbox carries the trace', () => {
  it('delivers a message recorded inside a span as a child of that span, and one recorded outside any as a root', async () => {
    const traced = { id: crypto.randomUUID(), type: 'Traced', payload: {} };
    const untraced = { id: crypto.randomUUID(), type: 'Untraced', payload: {} };
    const request = await tracer().startActiveSpan('request', async (span) => {
      await enqueue([traced]);
      span.end();
      return span.spanContext();
    });
    await enqueue([untraced]);

    const handled = await relayInSpans();
    expect(handled.get(traced.id)).toEqual({ traceId: request.traceId, parentSpanId: request.spanId });
    // The batch's two messages do not share a context: the second is not in the first's trace.
    expect(handled.get(untraced.id)?.parentSpanId).toBeUndefined();
    expect(handled.get(untraced.id)?.traceId).not.toBe(request.traceId);
  });
});
