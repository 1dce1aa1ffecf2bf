import type { Sql } from './pools.ts';
import type { Message } from './recorded-facts.ts';
import { recordChanges } from './record-changes.ts';

export type { Message } from './recorded-facts.ts';

/** Writes messages to the outbox inside the caller's transaction and wakes the relay on commit. */
export async function enqueueMessages(sql: Sql, messages: readonly Message[]): Promise<void> {
  await recordChanges(sql, [], messages);
}
