/**
 * The activities of the benchmark baseline workflows (bench/workflows/baseline.ts).
 * Only the bench worker (bench/worker.ts) registers them; the production worker does not.
 */
export function createBenchActivities() {
  return {
    async benchNoop(): Promise<void> {},
    /** A bare HTTP round trip where the saga calls the outside world: the same hop, none of the work. */
    async benchCall(url: string, body: unknown): Promise<void> {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`bench call to ${url} answered ${response.status}`);
    },
    /** The last step before a baseline child waits: tells the bench, in this process, that it got there. */
    async benchReached(key: string): Promise<void> {
      reachedKeys.add(key);
    },
  };
}

export type BenchActivities = ReturnType<typeof createBenchActivities>;

/** Keys reported by `benchReached`; the worker runs in the bench's own process, so the bench reads them here. */
export const reachedKeys = new Set<string>();
