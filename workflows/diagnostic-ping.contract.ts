import { defineSaga, signal } from './saga-contract.ts';

export interface DiagnosticPingInput {
  pingId: string;
  message: string;
  requestedBy: string;
  /** Also wait (up to a minute) for an `acknowledgePing` signal, to prove the signal path. */
  awaitAcknowledgement?: boolean;
}

export interface DiagnosticPingResult {
  pingId: string;
  recordedAt: string;
  acknowledgedBy: string[];
}

/** The smallest saga, `diagnostic-ping-<pingId>` (workflows/diagnostic-ping.ts). */
export const diagnosticPingSaga = defineSaga<DiagnosticPingInput, DiagnosticPingResult>()({
  workflowType: 'diagnosticPing',
  workflowId: (pingId) => `diagnostic-ping-${pingId}`,
  businessKey: (input) => input.pingId,
  searchAttributes: (input) => ({ CustomerId: input.requestedBy }),
  signals: {
    /** Someone confirms the signal path works end to end. */
    acknowledgePing: signal<{ by: string }>('acknowledgePing'),
  },
});
