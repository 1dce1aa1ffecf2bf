import { describe, expect, it } from 'vitest';
import type { DiagnosticsActivities } from '../../activities/diagnostics.ts';
import { diagnosticPingSaga, type DiagnosticPingInput } from '../../workflows/diagnostic-ping.contract.ts';
import { diagnosticPing } from '../../workflows/diagnostic-ping.ts';
import {
  CallLog,
  currentWorkflowId,
  recorded,
  sagaState,
  sagaTestWorkerForThisFile,
  stepsOf,
  waitForStep,
} from '../support/saga-test-worker.ts';

/**
 * diagnosticPing against the real dev server with stub activities. Branches:
 * - no acknowledgement asked → recorded, done;
 * - acknowledgement asked → waits, a signal acknowledges it → done;
 * - acknowledgements deduplicated by who, also when they arrive before the wait;
 * - a transient error while recording is retried by Temporal.
 * Not covered here: no acknowledgement within the hard-coded minute (`not-acknowledged`), a
 * 60-second wall-clock wait that the real dev server cannot skip.
 */

const log = new CallLog();
const failFirst = new Set<string>();
const slow = new Set<string>();
const recordCalls = new Map<string, number>();
const RECORDED_AT = '2030-01-02T03:04:05.000Z';

const stubs: DiagnosticsActivities = {
  async recordPing(input) {
    const id = currentWorkflowId();
    const n = (recordCalls.get(id) ?? 0) + 1;
    recordCalls.set(id, n);
    if (n === 1 && failFirst.has(id)) throw new Error('database restarting');
    if (slow.has(id)) await new Promise((resolve) => setTimeout(resolve, 500));
    return { pingId: (input as DiagnosticPingInput).pingId, recordedAt: RECORDED_AT };
  },
};

const env = sagaTestWorkerForThisFile('ping', recorded(log, stubs));

const acknowledge = diagnosticPingSaga.signals.acknowledgePing;

async function start(options: { awaitAcknowledgement?: boolean; failFirstRecord?: boolean; slowRecord?: boolean } = {}) {
  const input: DiagnosticPingInput = {
    pingId: crypto.randomUUID(),
    message: 'are you there?',
    requestedBy: 'operator',
    ...(options.awaitAcknowledgement === undefined ? {} : { awaitAcknowledgement: options.awaitAcknowledgement }),
  };
  const workflowId = diagnosticPingSaga.idOf(input);
  if (options.failFirstRecord) failFirst.add(workflowId);
  if (options.slowRecord) slow.add(workflowId);
  const handle = await env.startSaga(diagnosticPing, diagnosticPingSaga, input);
  return { handle, workflowId, input };
}

describe.concurrent('diagnosticPing', () => {
  it('records the ping and is done, without waiting, when no acknowledgement is asked', async () => {
    const { handle, workflowId, input } = await start();
    expect(await handle.result()).toEqual({ pingId: input.pingId, recordedAt: RECORDED_AT, acknowledgedBy: [] });
    expect(log.argsOf(workflowId, 'recordPing')).toEqual([[input]]);
    const state = await sagaState(handle);
    expect(stepsOf(state)).toEqual(['recording', 'done']);
    expect(state.ids).toEqual({ pingId: input.pingId });
    expect(state.parties).toEqual(['operator']);
  });

  it('waits for an acknowledgement when asked, and is done when it comes', async () => {
    const { handle, input } = await start({ awaitAcknowledgement: true });
    await waitForStep(handle, 'awaiting-acknowledgement');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await handle.describe()).status.name).toBe('RUNNING');
    await handle.signal(acknowledge, { by: 'alice' });
    expect(await handle.result()).toEqual({ pingId: input.pingId, recordedAt: RECORDED_AT, acknowledgedBy: ['alice'] });
    expect(stepsOf(await sagaState(handle))).toEqual(['recording', 'awaiting-acknowledgement', 'done']);
  });

  it('counts each acknowledger once, also acknowledgements that arrive before the wait', async () => {
    const { handle, workflowId, input } = await start({ awaitAcknowledgement: true, slowRecord: true });
    await handle.signal(acknowledge, { by: 'bob' });
    await handle.signal(acknowledge, { by: 'bob' });
    await handle.signal(acknowledge, { by: 'carol' });
    expect(log.callsTo(workflowId, 'recordPing')[0]?.endedAt).toBeUndefined(); // all three came while recording
    expect(await handle.result()).toEqual({ pingId: input.pingId, recordedAt: RECORDED_AT, acknowledgedBy: ['bob', 'carol'] });
    expect((await sagaState(handle)).step).toBe('done');
  });

  it('a transient error while recording is retried by Temporal', async () => {
    const { handle, workflowId, input } = await start({ failFirstRecord: true });
    expect(await handle.result()).toEqual({ pingId: input.pingId, recordedAt: RECORDED_AT, acknowledgedBy: [] });
    expect(log.callsTo(workflowId, 'recordPing').map((c) => [c.attempt, c.outcome])).toEqual([
      [1, 'threw'],
      [2, 'returned'],
    ]);
  });
});
