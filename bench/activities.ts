/**
 * The no-op activity of the benchmark baseline workflow (bench/workflows/baseline.ts).
 * Only the bench worker (bench/worker.ts) registers it; the production worker does not.
 */
export function createBenchActivities() {
  return {
    async benchNoop(): Promise<void> {},
  };
}

export type BenchActivities = ReturnType<typeof createBenchActivities>;
