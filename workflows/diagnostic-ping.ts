import { condition, setHandler } from '@temporalio/workflow';
import { databaseSteps } from './activity-options.ts';
import type { DiagnosticsActivities } from '../activities/diagnostics.ts';
import { diagnosticPingSaga, type DiagnosticPingInput, type DiagnosticPingResult } from './diagnostic-ping.contract.ts';
import { SagaJournal } from './saga-journal.ts';

const { recordPing } = databaseSteps<DiagnosticsActivities>();

/**
 * The smallest saga there is: one idempotent activity that writes through the unit of
 * work, then optionally a durable wait for a signal. Operators run it to check a
 * deployment end to end; the tests run it through both workflow gateways.
 */
export async function diagnosticPing(input: DiagnosticPingInput): Promise<DiagnosticPingResult> {
  const journal = new SagaJournal('recording', [input.requestedBy], { pingId: input.pingId });
  const acknowledgedBy: string[] = [];
  setHandler(diagnosticPingSaga.signals.acknowledgePing, ({ by }) => void (acknowledgedBy.includes(by) || acknowledgedBy.push(by)));

  const { recordedAt } = await recordPing(input);
  if (input.awaitAcknowledgement) {
    journal.enter('awaiting-acknowledgement');
    await condition(() => acknowledgedBy.length > 0, '1 minute');
  }
  journal.enter(acknowledgedBy.length > 0 || !input.awaitAcknowledgement ? 'done' : 'not-acknowledged');
  return { pingId: input.pingId, recordedAt, acknowledgedBy };
}
