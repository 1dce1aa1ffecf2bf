import type { Sql } from './pools.ts';
import { recordChanges } from './record-changes.ts';

/** A message as it leaves the platform: a unique id consumers deduplicate on, a type, a body. */
export interface Message<P = Record<string, unknown>> {
  id: string;
  type: string;
  payload: P;
}

/** Writes messages to the outbox inside the caller's transaction and wakes the relay on commit. */
export async function enqueueMessages(sql: Sql, messages: readonly Message[]): Promise<void> {
  await recordChanges(sql, [], messages);
}
