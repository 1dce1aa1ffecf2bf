/**
 * Callbacks due at a moment on a simulator's clock (its `now`, which tests may shift),
 * all cancelled at once when the simulator closes so nothing outlives it. Plain timers
 * only, so it runs on any runtime.
 */
export interface Alarms {
  /** Runs `callback` once `now()` reaches `atMs` (at once when that has passed). */
  at(atMs: number, callback: () => void): void;
  /** Cancels every alarm not yet run. */
  clear(): void;
}

/** setTimeout takes a signed 32-bit delay; a longer one fires at once, so long waits are chained. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export function createAlarms(now: () => number): Alarms {
  const timers = new Set<ReturnType<typeof setTimeout>>();

  function at(atMs: number, callback: () => void): void {
    const delay = Math.max(0, atMs - now());
    const timer = setTimeout(
      () => {
        timers.delete(timer);
        // Checked against the clock again: a chained wait, or a clock that moved meanwhile.
        if (now() < atMs) at(atMs, callback);
        else callback();
      },
      Math.min(delay, MAX_TIMER_MS),
    );
    timers.add(timer);
  }

  return {
    at,
    clear() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}
