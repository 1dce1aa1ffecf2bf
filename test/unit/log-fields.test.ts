import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { afterAll, describe, expect, it } from 'vitest';
import { runWithMessageContext } from '../../src/platform/messages/message-context.ts';
import { createLogger } from '../../src/platform/log.ts';

/** Log lines carry the trace and the correlation they were written in, and nothing outside one. */
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new InMemorySpanExporter())] });
provider.register();
afterAll(async () => {
  await provider.shutdown();
  trace.disable();
});

function capture() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('test', 'info', { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

describe('log lines', () => {
  it('outside any request, saga or span: no ids', () => {
    const { logger, lines } = capture();
    logger.info('plain');
    expect(lines[0]).not.toHaveProperty('traceId');
    expect(lines[0]).not.toHaveProperty('correlationId');
  });

  it('inside a span and a message context: the trace, span, correlation and causation ids', () => {
    const { logger, lines } = capture();
    trace.getTracer('test').startActiveSpan('work', (span) => {
      runWithMessageContext({ correlationId: 'req-1', causationId: 'msg-7' }, () => logger.info({ orderId: 'o1' }, 'inside'));
      expect(lines[0]).toMatchObject({
        msg: 'inside',
        orderId: 'o1',
        traceId: span.spanContext().traceId,
        spanId: span.spanContext().spanId,
        correlationId: 'req-1',
        causationId: 'msg-7',
      });
      span.end();
    });
  });
});
