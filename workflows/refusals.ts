/**
 * Failure types that cross the activity boundary as business answers (docs/design.md, property
 * 11). Pure constants: the worker's activity boundary sets them, sagas branch on them.
 * Domain errors travel under their own class name (`Conflict`, `NotFound`, …).
 */
export const REFUSAL = {
  /** The outside world said no (a 4xx other than 408/429): retrying would get the same answer. */
  providerRefused: 'ProviderRefused',
  /** The activity's own input did not parse: a bug in the caller, never fixed by a retry. */
  invalidInput: 'InvalidInput',
} as const;
