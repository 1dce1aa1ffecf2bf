import type { Client } from '@temporalio/client';
import type { Sql } from '../src/platform/db/pools.ts';
import type { WebhookNetwork } from './webhook-network.ts';

export interface Quiet {
  reached: boolean;
  waitedMs: number;
  /** Still running when the wait gave up: workflow ids with their type. */
  stillRunning: string[];
  undispatchedOutbox: number;
  webhooksInFlight: number;
}

/**
 * Waits until the platform has nothing left to do: no webhook still travelling, the
 * outbox drained, and no saga of the run's task queue still running, except those
 * `parked` says wait legitimately (an auction whose end is still ahead). The chaos
 * windows are short, so every other saga the load started ends within the wait.
 */
export async function waitForQuiescence(options: {
  temporal: Client;
  taskQueue: string;
  read: Sql;
  webhooks: WebhookNetwork;
  timeoutMs: number;
  parked?: (workflowId: string, type: string) => Promise<boolean>;
  log: (line: string) => void;
}): Promise<Quiet> {
  const begun = Date.now();
  let lastSaid = 0;
  for (;;) {
    const stillRunning = await runningSagas(options);
    const { rows } = await options.read
      .query('SELECT count(*)::int AS n FROM outbox WHERE dispatched_at IS NULL')
      .catch(() => ({ rows: [{ n: -1 }] }));
    const undispatchedOutbox = rows[0].n as number;
    const webhooksInFlight = options.webhooks.pending();
    const quiet = { stillRunning, undispatchedOutbox, webhooksInFlight, waitedMs: Date.now() - begun };
    if (stillRunning.length === 0 && undispatchedOutbox === 0 && webhooksInFlight === 0) return { reached: true, ...quiet };
    if (Date.now() - begun > options.timeoutMs) return { reached: false, ...quiet };
    if (Date.now() - lastSaid > 10_000) {
      lastSaid = Date.now();
      options.log(
        `waiting for quiescence: ${stillRunning.length} sagas running, ${undispatchedOutbox} outbox rows, ${webhooksInFlight} webhooks in flight`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

async function runningSagas(options: {
  temporal: Client;
  taskQueue: string;
  parked?: (workflowId: string, type: string) => Promise<boolean>;
}): Promise<string[]> {
  const running: string[] = [];
  try {
    for await (const execution of options.temporal.workflow.list({
      query: `TaskQueue = '${options.taskQueue}' AND ExecutionStatus = 'Running'`,
    })) {
      if (options.parked && (await options.parked(execution.workflowId, execution.type))) continue;
      running.push(`${execution.workflowId} (${execution.type})`);
    }
  } catch (error) {
    running.push(`(Temporal not answering: ${(error as Error).message})`);
  }
  return running;
}
