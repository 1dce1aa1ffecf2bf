/**
 * Latency figures for the `latency` and `scale` benchmarks: percentiles, and an
 * open-loop driver that starts operations on a fixed schedule whatever the earlier ones
 * are doing, so a slow response delays no later request and is not hidden by it (a
 * closed loop waits for each answer and so measures only as fast as the server lets it).
 */

/** The nearest-rank percentile (`p` in 0–100) of the values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

export function describe(values: readonly number[]): { p50: number; p99: number; max: number } {
  return { p50: percentile(values, 50), p99: percentile(values, 99), max: percentile(values, 100) };
}

export const ms = (value: number): string => `${value.toFixed(value < 10 ? 2 : 1)} ms`;

export interface OpenLoopResult {
  /** Wall-clock time (epoch ms, fractional) each operation was due to start. */
  dueAt: number[];
  /** Due time to completion, per operation, in ms. */
  latencies: number[];
  /** How far behind its schedule the driver started the latest operation, in ms. */
  worstStartLag: number;
}

/**
 * Starts `total` operations at `ratePerSecond`, the i-th due at i / rate seconds after
 * the first, and times each from when it was due (not from when the timer fired), so a
 * stalled event loop counts against the operation rather than vanishing.
 */
export async function openLoop(total: number, ratePerSecond: number, operation: (i: number) => Promise<void>): Promise<OpenLoopResult> {
  const intervalMs = 1000 / ratePerSecond;
  const start = performance.now() + 20;
  const dueAt: number[] = new Array(total);
  const latencies: number[] = new Array(total);
  const running: Promise<void>[] = [];
  let worstStartLag = 0;
  for (let i = 0; i < total; i++) {
    const due = start + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    worstStartLag = Math.max(worstStartLag, performance.now() - due);
    dueAt[i] = performance.timeOrigin + due;
    running.push(
      operation(i).then(() => {
        latencies[i] = performance.now() - due;
      }),
    );
  }
  await Promise.all(running);
  return { dueAt, latencies, worstStartLag };
}
