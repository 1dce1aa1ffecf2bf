/**
 * Names of the workflows' signals and queries as plain constants, for callers outside
 * the workflow sandbox (the API, webhooks), which must not import @temporalio/workflow.
 * `messages.ts` turns them into typed definitions for the workflow code.
 */
export { SAGA_STATE_QUERY } from '../src/platform/temporal/saga-state.ts';

/** Diagnostic ping: someone confirms the signal path works end to end. */
export const ACKNOWLEDGE_PING_SIGNAL = 'acknowledgePing';
