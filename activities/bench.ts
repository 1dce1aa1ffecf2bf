/** The no-op activity of the benchmark baseline workflow (workflows/bench-baseline.ts). */
export function createBenchActivities() {
  return {
    async benchNoop(): Promise<void> {},
  };
}

export type BenchActivities = ReturnType<typeof createBenchActivities>;
