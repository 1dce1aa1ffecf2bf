import { proxyActivities } from '@temporalio/workflow';
import type { DiagnosticsActivities } from '../activities/diagnostics.ts';

const { recordPing } = proxyActivities<DiagnosticsActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '200 milliseconds', maximumAttempts: 10 },
});

export interface DiagnosticPingInput {
  pingId: string;
  message: string;
  requestedBy: string;
}

/** The smallest saga there is: one idempotent activity that writes through the unit of work. */
export async function diagnosticPing(input: DiagnosticPingInput): Promise<{ pingId: string; recordedAt: string }> {
  return recordPing(input);
}
