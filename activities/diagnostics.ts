import { PingInputSchema, recordPing } from '../src/diagnostics/use-cases.ts';
import type { Clock } from '../src/kernel/clock.ts';
import type { Pools } from '../src/platform/db/pools.ts';

/** Activities of the diagnostics context: thin, validated calls into its use cases. */
export function createDiagnosticsActivities(deps: { pools: Pools; clock: Clock }) {
  return {
    async recordPing(input: unknown) {
      return recordPing(deps.pools.write, deps.clock, PingInputSchema.parse(input));
    },
  };
}

export type DiagnosticsActivities = ReturnType<typeof createDiagnosticsActivities>;
