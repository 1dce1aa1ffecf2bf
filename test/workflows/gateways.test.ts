import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getPing } from '../../src/diagnostics/queries.ts';
import { GrpcWorkflowGateway } from '../../src/platform/temporal/grpc-workflow-gateway.ts';
import { HttpWorkflowGateway } from '../../src/platform/temporal/http-workflow-gateway.ts';
import { WorkflowNotFound, type WorkflowGateway } from '../../src/platform/temporal/workflow-gateway.ts';
import { diagnosticPingSaga } from '../../workflows/diagnostic-ping.contract.ts';
import { sagaStateQuery } from '../../workflows/saga-contract.ts';
import { createTestDatabase, startTestWorker, temporalTarget, uniqueTaskQueue } from '../support/test-env.ts';

/**
 * The trivial workflow, end to end on the real dev server, through each workflow gateway:
 * start (deterministic id) → activity → unit of work → Postgres, then signal, query,
 * describe and signal-with-start. Both adapters must behave identically.
 */
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let worker: Awaited<ReturnType<typeof startTestWorker>>;
let grpc: GrpcWorkflowGateway;
const taskQueue = uniqueTaskQueue('gateways');

beforeAll(async () => {
  db = await createTestDatabase();
  worker = await startTestWorker(db.pools, taskQueue);
  const { address, namespace } = temporalTarget();
  grpc = await GrpcWorkflowGateway.connect(address, namespace);
});
afterAll(async () => {
  await worker.stop();
  await grpc.close();
  await db.drop();
});

const adapters: [string, () => WorkflowGateway][] = [
  ['gRPC (@temporalio/client)', () => grpc],
  ['HTTP API (fetch only)', () => new HttpWorkflowGateway(temporalTarget().httpAddress, temporalTarget().namespace)],
];

describe.each(adapters)('workflow gateway over %s', (_name, gateway) => {
  const ping = (awaitAcknowledgement: boolean) => {
    const pingId = crypto.randomUUID();
    return {
      pingId,
      workflowId: diagnosticPingSaga.workflowId(pingId),
      input: { pingId, message: 'are you there?', requestedBy: 'operator', awaitAcknowledgement },
    };
  };

  it('runs the trivial workflow through its activity into Postgres', async () => {
    const { pingId, workflowId, input } = ping(false);
    const started = await gateway().start(diagnosticPingSaga, input, { taskQueue });
    expect(started).toEqual({ workflowId, started: true });

    await expect.poll(async () => (await gateway().describe(workflowId))?.status, { timeout: 20_000 }).toBe('completed');
    expect(await getPing(db.pools.read, pingId)).toMatchObject({
      id: pingId,
      message: 'are you there?',
      requestedBy: 'operator',
      version: 1,
    });
    const description = await gateway().describe(workflowId);
    expect(description).toMatchObject({ workflowId, type: 'diagnosticPing', status: 'completed' });
    // Temporal's own record of the search attributes, which the API reads when no worker answers a query.
    expect(description?.searchAttributes.CustomerId).toEqual(['operator']);
  });

  it('never starts the same business fact twice', async () => {
    const { workflowId, input } = ping(true);
    await gateway().start(diagnosticPingSaga, input, { taskQueue });
    expect(await gateway().start(diagnosticPingSaga, input, { taskQueue })).toEqual({
      workflowId,
      started: false,
    });
    await gateway().signal(workflowId, diagnosticPingSaga.signals.acknowledgePing, { by: 'cleanup' });
  });

  it('signals a waiting workflow and reads its state with a query', async () => {
    const { workflowId, input } = ping(true);
    await gateway().start(diagnosticPingSaga, input, { taskQueue });
    await expect
      .poll(async () => (await gateway().query(workflowId, sagaStateQuery)).step, { timeout: 20_000 })
      .toBe('awaiting-acknowledgement');

    await gateway().signal(workflowId, diagnosticPingSaga.signals.acknowledgePing, { by: 'alice' });

    await expect.poll(async () => (await gateway().describe(workflowId))?.status, { timeout: 20_000 }).toBe('completed');
    const state = await gateway().query(workflowId, sagaStateQuery);
    expect(state.step).toBe('done');
    expect(state.history.map((h) => h.step)).toEqual(['recording', 'awaiting-acknowledgement', 'done']);
    expect(state.parties).toEqual(['operator']);
  });

  it('starts a workflow with a signal already in hand (signal-with-start)', async () => {
    const { workflowId, input } = ping(true);
    await gateway().signalWithStart(
      diagnosticPingSaga,
      input,
      diagnosticPingSaga.signals.acknowledgePing,
      { by: 'early-bird' },
      { taskQueue },
    );
    await expect.poll(async () => (await gateway().describe(workflowId))?.status, { timeout: 20_000 }).toBe('completed');
    expect((await gateway().query(workflowId, sagaStateQuery)).step).toBe('done');
  });

  it('reports unknown workflows plainly', async () => {
    expect(await gateway().describe('no-such-workflow')).toBeUndefined();
    await expect(gateway().signal('no-such-workflow', diagnosticPingSaga.signals.acknowledgePing, { by: 'nobody' })).rejects.toBeInstanceOf(
      WorkflowNotFound,
    );
    await expect(gateway().query('no-such-workflow', sagaStateQuery)).rejects.toBeInstanceOf(WorkflowNotFound);
  });

  it('answers the health check', async () => {
    await expect(gateway().checkHealth()).resolves.toBeUndefined();
  });

  it('gives up a query nobody takes within its timeout, the call itself ended', async () => {
    // A saga on a queue no worker polls: its query waits for a worker that never comes.
    const { workflowId, input } = ping(true);
    await gateway().start(diagnosticPingSaga, input, { taskQueue: uniqueTaskQueue('nobody-polls') });
    const began = Date.now();
    await expect(gateway().query(workflowId, sagaStateQuery, { timeoutMs: 500 })).rejects.toThrow();
    expect(Date.now() - began).toBeLessThan(5_000);
    await grpc.client.workflow.getHandle(workflowId).terminate('test cleanup');
  });
});
