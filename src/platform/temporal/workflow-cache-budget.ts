/**
 * About what one cached saga holds in the workflow sandbox's heap (`npm run bench --
 * memory`, README: WORKER_MAX_CACHED_WORKFLOWS).
 */
export const CACHED_SAGA_MB = 0.3;

/**
 * Why a worker must not start with this cache in this heap, or undefined when it fits.
 * `npm run worker` caps each V8 heap (node's `--max-old-space-size`, which the sandbox
 * thread shares), so its RSS stays low after a burst; a cache raised past half of that
 * would run the sandbox out of memory under load instead of failing here, at start.
 */
export function workflowCacheProblem(maxCachedWorkflows: number, heapLimitBytes: number): string | undefined {
  const heapMb = heapLimitBytes / 1_048_576;
  const cacheMb = maxCachedWorkflows * CACHED_SAGA_MB;
  if (cacheMb <= heapMb / 2) return undefined;
  return (
    `WORKER_MAX_CACHED_WORKFLOWS=${maxCachedWorkflows} keeps about ${Math.round(cacheMb)} MB of sagas in a heap of ` +
    `${Math.round(heapMb)} MB; lower it to ${Math.floor(heapMb / 2 / CACHED_SAGA_MB)} or raise node's --max-old-space-size ` +
    `(package.json "worker", docker-compose.yml) so the cache takes at most half the heap`
  );
}
