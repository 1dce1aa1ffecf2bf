import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { History } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { SAGAS_OF_2026_11_30 } from '../../workflows/patches.ts';
import { historyFromJSON, readHistoryFile } from '../support/history-json.ts';
import { testWorkflowBundle } from '../support/replay.ts';
import { ensureTestRuntime } from '../support/test-env.ts';

/**
 * Determinism across SAGAS_OF_2026_11_30 (the journal writing Temporal's record at rest):
 * histories recorded from the code at commit f886e84, one of each saga type and end
 * (completed, failed, cancelled, continued as new, terminated, and still running, as a
 * saga in flight at deploy is), replay against the current workflow bundle, with one
 * upsert per step as they were recorded. A copy with one upsert taken out fails, so a
 * passing replay means the upserts were checked.
 */

const RECORDED = join(dirname(fileURLToPath(import.meta.url)), 'histories', 'f886e84');
const files = readdirSync(RECORDED).filter((file) => file.endsWith('.json'));
const historyOf = (file: string): History => readHistoryFile(join(RECORDED, file));
const workflowTypeOf = (file: string) => file.split('-')[0]!;

async function replay(history: History, workflowId: string): Promise<void> {
  ensureTestRuntime();
  await Worker.runReplayHistory(testWorkflowBundle(), history, workflowId);
}

describe('sagas recorded before 2026-11-30 (commit f886e84)', () => {
  it('holds one history of each saga type, none with the new marker', () => {
    expect(new Set(files.map(workflowTypeOf))).toEqual(
      new Set([
        'auctionClosing',
        'bitcoinWithdrawal',
        'campaign',
        'deliveryFulfilment',
        'payingForWonItem',
        'serviceFulfilment',
        'unwantedCaptureRefund',
      ]),
    );
    for (const file of files) expect(JSON.stringify(historyOf(file))).not.toContain(SAGAS_OF_2026_11_30);
  });

  it.each(files)('%s replays against the current code', async (file) => {
    await replay(historyOf(file), file);
  });

  it('a copy with one of its upserts turned into another command fails to replay', async () => {
    const json = JSON.parse(readFileSync(join(RECORDED, 'payingForWonItem-completed.json'), 'utf8'));
    const upsert = json.events.find((event: { upsertWorkflowSearchAttributesEventAttributes?: unknown }) => event.upsertWorkflowSearchAttributesEventAttributes);
    const taskCompleted = upsert.upsertWorkflowSearchAttributesEventAttributes.workflowTaskCompletedEventId;
    delete upsert.upsertWorkflowSearchAttributesEventAttributes;
    upsert.eventType = 'EVENT_TYPE_MARKER_RECORDED';
    upsert.markerRecordedEventAttributes = { markerName: 'tampered', workflowTaskCompletedEventId: taskCompleted };
    await expect(replay(historyFromJSON(json), 'tampered')).rejects.toThrow(/[Nn]ondeterminism/);
  });
});
