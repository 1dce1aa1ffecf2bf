import type pg from 'pg';
import { z } from 'zod';
import type { Clock } from '../kernel/clock.ts';
import { newId } from '../kernel/ids.ts';
import { retryOnConflict } from '../platform/db/retry-on-conflict.ts';
import { runInUnitOfWork } from '../platform/db/unit-of-work.ts';
import type { WorkflowGateway } from '../platform/temporal/workflow-gateway.ts';
import { diagnosticPingSaga } from '../../workflows/diagnostic-ping.contract.ts';
import { MAX_PING_MESSAGE, Ping } from './domain.ts';
import { addPing, findPing } from './repository.ts';

export const PingInputSchema = z.object({
  pingId: z.string().uuid(),
  message: z.string().min(1).max(MAX_PING_MESSAGE),
  requestedBy: z.string().min(1),
  awaitAcknowledgement: z.boolean().optional(),
});
export type PingInput = z.infer<typeof PingInputSchema>;

/** Starts the diagnostic-ping workflow; the ping is recorded by its activity. */
export async function requestPing(
  workflows: WorkflowGateway,
  taskQueue: string,
  request: { message: string; requestedBy: string; awaitAcknowledgement?: boolean },
): Promise<{ pingId: string; workflowId: string }> {
  const input: PingInput = { pingId: newId(), ...request };
  const { workflowId } = await workflows.start(diagnosticPingSaga, input, { taskQueue });
  return { pingId: input.pingId, workflowId };
}

/** Sends the acknowledgement signal a ping started with `awaitAcknowledgement` waits for. */
export async function acknowledgePing(workflows: WorkflowGateway, pingId: string, by: string): Promise<void> {
  await workflows.signal(diagnosticPingSaga.workflowId(pingId), diagnosticPingSaga.signals.acknowledgePing, { by });
}

/** Records the ping once: a retried activity finds it already there and returns it. */
export async function recordPing(pool: pg.Pool, clock: Clock, input: PingInput): Promise<{ pingId: string; recordedAt: string }> {
  return retryOnConflict(() =>
    runInUnitOfWork(pool, async (uow) => {
      const ping = (await findPing(uow, input.pingId)) ?? Ping.record(input.pingId, input.message, input.requestedBy, clock.now());
      if (ping.loadedVersion === 0) addPing(uow, ping);
      return { pingId: ping.id, recordedAt: ping.state.recordedAt.toISOString() };
    }),
  );
}
