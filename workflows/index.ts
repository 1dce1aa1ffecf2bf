// The workflow bundle's entry: every workflow type the worker serves.
export { diagnosticPing } from './diagnostic-ping.ts';
