import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTracing, type Tracing } from '../../src/platform/observability/tracing.ts';
import type { WorkflowGateway } from '../../src/platform/temporal/workflow-gateway.ts';
import { auctionClosingSaga } from '../../workflows/auction-closing.contract.ts';
import { eventually, startPlatform, type TestPlatform } from '../support/platform.ts';
import { wonAuctionHelpers } from '../support/won-auctions.ts';

/**
 * Tracing end to end, into an in-memory exporter: a request's spans (the HTTP client and
 * server, its SQL, its Temporal client calls, and on the worker's side the activities of
 * the sagas it started, children included, and their SQL) share one trace id, and every
 * span's parent is in that trace, so the trace is one connected tree.
 */
const exporter = new InMemorySpanExporter();
let tracing: Tracing;
let platform: TestPlatform;
const { wonAuction, charge, payment } = wonAuctionHelpers(() => platform);

/**
 * While set, the API's own start of the closing saga (its fast path) fails, as a call
 * that did not get through would: only the outbox's handler, run by the relay, starts it.
 */
let apiClosingStartsLost = false;
const losingClosingStarts = (gateway: WorkflowGateway): WorkflowGateway => ({
  start: async (saga, input, options) => {
    if (apiClosingStartsLost && saga.workflowType === auctionClosingSaga.workflowType) throw new Error('lost on the way (test)');
    return gateway.start(saga, input, options);
  },
  signal: (workflowId, signal, arg) => gateway.signal(workflowId, signal, arg),
  signalWithStart: (saga, input, signal, arg, options) => gateway.signalWithStart(saga, input, signal, arg, options),
  query: (workflowId, query, options) => gateway.query(workflowId, query, options),
  describe: (workflowId) => gateway.describe(workflowId),
  checkHealth: () => gateway.checkHealth(),
});

beforeAll(async () => {
  tracing = await startTracing({ serviceName: 'tracing-test', spanProcessor: new SimpleSpanProcessor(exporter) });
  // A payout due a second after the voucher is redeemed, so that a whole sale ends within the test.
  platform = await startPlatform({ env: { SETTLEMENT_DELAY: '1s' }, apiWorkflows: losingClosingStarts });
});

afterAll(async () => {
  await platform?.stop();
  await tracing?.shutdown();
});

/** The server span of one request, by method and path. */
function serverSpan(method: string, path: string): ReadableSpan | undefined {
  return exporter
    .getFinishedSpans()
    .find((span) => span.kind === SpanKind.SERVER && span.attributes['http.method'] === method && span.attributes['http.target'] === path);
}

function traceOf(span: ReadableSpan): ReadableSpan[] {
  return exporter.getFinishedSpans().filter((other) => other.spanContext().traceId === span.spanContext().traceId);
}

/** Whether every span's parent has been exported too: a span is exported only when it ends, after its children. */
function parentsExported(spans: ReadableSpan[]): boolean {
  const ids = new Set(spans.map((span) => span.spanContext().spanId));
  return spans.every((span) => !span.parentSpanId || ids.has(span.parentSpanId));
}

/** One root, and every other span's parent in the same trace. */
function expectConnected(spans: ReadableSpan[]): void {
  const ids = new Set(spans.map((span) => span.spanContext().spanId));
  const roots = spans.filter((span) => !span.parentSpanId);
  expect(roots, `roots: ${roots.map((r) => r.name).join(', ')}`).toHaveLength(1);
  for (const span of spans) if (span.parentSpanId) expect(ids, `parent of ${span.name}`).toContain(span.parentSpanId);
}

describe('one connected trace', () => {
  it('for a bid: the request and its SQL', async () => {
    const sale = await wonAuction({ fulfilment: 'service' });
    const bid = serverSpan('POST', `/auctions/${sale.auctionId}/bids`);
    expect(bid).toBeDefined();
    const spans = traceOf(bid!);
    expect(spans.filter((span) => span.name.startsWith('pg.query')).length).toBeGreaterThan(0);
    expectConnected(spans);
  });

  it('for a charge: the request, its SQL and its signal to the saga', async () => {
    const sale = await wonAuction({ fulfilment: 'service' });
    expect((await charge(sale.paymentId, sale.winner, 'tok_visa')).status).toBe(202);
    await eventually(
      () => payment(sale.paymentId, sale.winner),
      (p) => p.status === 'captured',
    );
    const request = serverSpan('POST', `/payments/${sale.paymentId}/charge`);
    expect(request).toBeDefined();
    const spans = traceOf(request!);
    const names = spans.map((span) => span.name);
    expect(names).toContain('SignalWorkflow:chargeRequested');
    expect(names.some((name) => name.startsWith('pg.query'))).toBe(true);
    expectConnected(spans);
  });

  it('for a saga: from the POST that starts it, through its workflows and activities, to their SQL', async () => {
    const sale = await wonAuction({ fulfilment: 'service' });
    expect((await charge(sale.paymentId, sale.winner, 'tok_visa')).status).toBe(202);
    const { body: auction } = await eventually(
      () => platform.api.call('GET', `/auctions/${sale.auctionId}`),
      (r) => Boolean(r.body.serviceId),
    );
    expect((await platform.api.call('POST', `/services/${auction.serviceId}/redeem`, { as: sale.winner })).status).toBe(200);
    await eventually(
      () => platform.api.call('GET', `/customers/${sale.seller}/payouts`, { as: sale.seller }),
      (r) => r.body.payouts?.[0]?.status === 'paid',
    );
    // Every saga of this sale has ended: each activity's span is finished and exported.
    const closingId = `auction-closing-${sale.auctionId}`;
    const started = await eventually(
      async () =>
        exporter
          .getFinishedSpans()
          // The request's start, the one with a parent: others with the same workflow id
          // (a retried start, answered "already started") are roots of their own.
          .find(
            (span) =>
              span.name === 'StartWorkflow:auctionClosing' &&
              span.attributes['temporalWorkflowId'] === closingId &&
              Boolean(span.parentSpanId),
          ),
      (span) => span !== undefined,
      10_000,
    );
    const ranIn = (spans: ReadableSpan[], prefix: string) =>
      spans.filter((span) => span.name.startsWith('RunActivity:') && String(span.attributes['temporalWorkflowId']).startsWith(prefix));
    const spans = await eventually(
      async () => traceOf(started!),
      // Also wait for a step still running after the payout (its SQL exported, its own span not yet).
      (found) => ranIn(found, 'service-fulfilment-').some((span) => span.name === 'RunActivity:payPayout') && parentsExported(found),
      10_000,
    );
    // The request that created the auction is the root; the closing saga, the paying saga it
    // started and the voucher saga that one started all ran their steps in this one trace.
    const root = spans.find((span) => !span.parentSpanId)!;
    expect(root.kind).toBe(SpanKind.CLIENT);
    expect(spans.some((span) => span.kind === SpanKind.SERVER && span.attributes['http.target'] === '/auctions')).toBe(true);
    expect(ranIn(spans, 'auction-closing-').map((span) => span.name)).toContain('RunActivity:endAuction');
    expect(ranIn(spans, 'paying-for-won-item-').map((span) => span.name)).toContain('RunActivity:startPayment');
    expect(ranIn(spans, 'service-fulfilment-').length).toBeGreaterThan(1);
    // The SQL of a step hangs under that step's activity span.
    const startPayment = spans.find((span) => span.name === 'RunActivity:startPayment')!;
    const underIt = (span: ReadableSpan): boolean => {
      const parent = spans.find((other) => other.spanContext().spanId === span.parentSpanId);
      return parent === startPayment || (parent !== undefined && underIt(parent));
    };
    expect(spans.filter((span) => span.name.startsWith('pg.') && underIt(span)).length).toBeGreaterThan(0);
    expectConnected(spans);
  });

  it("for a saga the outbox started (the request could not): the relay delivers the message in the request's trace", async () => {
    apiClosingStartsLost = true;
    let sale: Awaited<ReturnType<typeof wonAuction>>;
    try {
      sale = await wonAuction({ fulfilment: 'service' });
    } finally {
      apiClosingStartsLost = false;
    }
    const closingId = `auction-closing-${sale.auctionId}`;
    const starts = exporter
      .getFinishedSpans()
      .filter((span) => span.name === 'StartWorkflow:auctionClosing' && span.attributes['temporalWorkflowId'] === closingId);
    expect(starts).toHaveLength(1); // the relay's: the request's own start never reached Temporal
    const spans = await eventually(
      async () => traceOf(starts[0]!),
      (found) => found.some((span) => span.name === 'RunActivity:endAuction') && parentsExported(found),
      10_000,
    );
    // The relay's start hangs under the request that recorded AuctionCreated, not at a root of its own.
    const created = spans.filter((span) => span.kind === SpanKind.SERVER && span.attributes['http.target'] === '/auctions');
    expect(created).toHaveLength(1);
    expect(spans.find((span) => !span.parentSpanId)!.kind).toBe(SpanKind.CLIENT);
    expect(spans.find((span) => span.name === 'RunActivity:endAuction')!.attributes['temporalWorkflowId']).toBe(closingId);
    expectConnected(spans);
  });
});
