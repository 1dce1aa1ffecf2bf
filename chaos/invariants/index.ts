// The invariant rows of the chaos harness: what a quiescent platform must satisfy.
export { checkInvariants } from './check-invariants.ts';
export { formatInvariantRows } from './format-rows.ts';
export type { InvariantRow } from './invariant-row.ts';
export type { InvariantWorld, MoneyWorld } from './world.ts';
export { moneyViolations } from './money.ts';
