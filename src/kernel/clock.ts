/** Time as a dependency, so use cases and tests agree on "now" without patching globals. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
