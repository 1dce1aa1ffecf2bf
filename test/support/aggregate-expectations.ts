import { expect } from 'vitest';
import type { DomainError } from '../../src/kernel/errors.ts';

/** A domain error's class, matched exactly (not a subclass). */
export type DomainErrorClass = abstract new (...args: never[]) => DomainError;

interface Recording {
  readonly pendingEvents: readonly unknown[];
}

/**
 * The state-machine tests' two checks, for any aggregate: `snapshot` says what its state
 * is (each test file knows which fields matter). `act` changes nothing: same snapshot, no
 * event. `act` is refused with exactly `error` and, refused, changes nothing.
 */
export function expectNoChange<A extends Recording>(aggregate: A, snapshot: (a: A) => unknown, act: () => unknown): void {
  const before = snapshot(aggregate);
  act();
  expect(snapshot(aggregate)).toEqual(before);
  expect(aggregate.pendingEvents).toEqual([]);
}

export function expectRefusedUnchanged<A extends Recording>(
  aggregate: A,
  snapshot: (a: A) => unknown,
  act: () => unknown,
  error: DomainErrorClass,
): DomainError {
  const before = snapshot(aggregate);
  let thrown: unknown;
  try {
    act();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(error);
  expect((thrown as Error).constructor).toBe(error);
  expect(snapshot(aggregate)).toEqual(before);
  expect(aggregate.pendingEvents).toEqual([]);
  return thrown as DomainError;
}
