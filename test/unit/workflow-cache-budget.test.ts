import { describe, expect, it } from 'vitest';
import { workflowCacheProblem } from '../../src/platform/temporal/workflow-cache-budget.ts';

const MB = 1_048_576;

describe('workflowCacheProblem', () => {
  it('lets a cache of up to half the heap through', () => {
    expect(workflowCacheProblem(100, 304 * MB)).toBeUndefined(); // npm run worker's defaults
    expect(workflowCacheProblem(506, 304 * MB)).toBeUndefined();
  });

  it('refuses a cache past half the heap, naming both settings and the most that fits', () => {
    const problem = workflowCacheProblem(1_000, 304 * MB);
    expect(problem).toContain('WORKER_MAX_CACHED_WORKFLOWS=1000');
    expect(problem).toContain('--max-old-space-size');
    expect(problem).toContain('lower it to 506');
  });

  it('fits any cache the configuration allows in node’s default heap on a large machine', () => {
    expect(workflowCacheProblem(100, 4144 * MB)).toBeUndefined();
  });
});
